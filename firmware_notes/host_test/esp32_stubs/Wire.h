// Host stub of the ESP32 core's TwoWire (see Arduino.h in this folder).
#pragma once
#include <stdint.h>
struct TwoWire {
    bool begin();
    bool setClock(uint32_t frequency);
    void beginTransmission(uint8_t address);
    void beginTransmission(int address);
    size_t write(uint8_t data);
    uint8_t endTransmission(bool send_stop);
    uint8_t endTransmission();
    uint8_t requestFrom(uint8_t address, uint8_t size);
    int read();
};
extern TwoWire Wire;
