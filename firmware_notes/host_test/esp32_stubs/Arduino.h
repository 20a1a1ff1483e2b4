// Host stubs: just enough of the ESP32 Arduino core's API for a compile check of the ESP32
// sketch's glue code (tests/firmware/test_sketches.py). Signatures follow arduino-esp32 2.x.
// The sketch's logic itself lives in the portable library, which is compiled and run for real.
#pragma once
#include <stddef.h>
#include <stdint.h>
#include <string>

#define HIGH 0x1
#define LOW 0x0
#define INPUT 0x01
#define OUTPUT 0x03
#define pdTRUE 1

void pinMode(uint8_t pin, uint8_t mode);
int digitalRead(uint8_t pin);
void digitalWrite(uint8_t pin, uint8_t val);
void delay(uint32_t ms);
void delayMicroseconds(uint32_t us);
unsigned long micros();

struct HardwareSerial {
    void begin(unsigned long baud);
    size_t write(const uint8_t *buffer, size_t size);
    int available();
    int read();
};
extern HardwareSerial Serial;

typedef struct { volatile uint32_t owner; } portMUX_TYPE;
#define portMUX_INITIALIZER_UNLOCKED {0}
void portENTER_CRITICAL(portMUX_TYPE *mux);
void portEXIT_CRITICAL(portMUX_TYPE *mux);

typedef void *QueueHandle_t;
QueueHandle_t xQueueCreate(int length, int item_size);
int xQueueSend(QueueHandle_t queue, const void *item, uint32_t ticks);
int xQueueReceive(QueueHandle_t queue, void *item, uint32_t ticks);
