// Host stubs of the ESP32 BLE library classes the sketch uses (arduino-esp32 2.x,
// libraries/BLE/src). See Arduino.h in this folder.
#pragma once
#include <stddef.h>
#include <stdint.h>
#include <string>

class BLEServer;
class BLECharacteristic;

class BLEDescriptor {
  public:
    virtual ~BLEDescriptor();
};

class BLECharacteristicCallbacks {
  public:
    virtual ~BLECharacteristicCallbacks();
    virtual void onWrite(BLECharacteristic *pCharacteristic);
};

class BLECharacteristic {
  public:
    static const uint32_t PROPERTY_READ = 1 << 0;
    static const uint32_t PROPERTY_WRITE = 1 << 1;
    static const uint32_t PROPERTY_NOTIFY = 1 << 2;
    static const uint32_t PROPERTY_WRITE_NR = 1 << 5;
    void addDescriptor(BLEDescriptor *pDescriptor);
    std::string getValue();
    void notify(bool is_notification = true);
    void setCallbacks(BLECharacteristicCallbacks *pCallbacks);
    void setValue(uint8_t *data, size_t size);
};

class BLEService {
  public:
    BLECharacteristic *createCharacteristic(const char *uuid, uint32_t properties);
    void start();
};

class BLEServerCallbacks {
  public:
    virtual ~BLEServerCallbacks();
    virtual void onConnect(BLEServer *pServer);
    virtual void onDisconnect(BLEServer *pServer);
};

class BLEServer {
  public:
    BLEService *createService(const char *uuid);
    void setCallbacks(BLEServerCallbacks *pCallbacks);
};

class BLEAdvertising {
  public:
    void addServiceUUID(const char *serviceUUID);
    void setScanResponse(bool);
};

class BLEDevice {
  public:
    static void init(std::string deviceName);
    static BLEServer *createServer();
    static BLEAdvertising *getAdvertising();
    static void startAdvertising();
};
