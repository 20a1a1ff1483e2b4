// isoforce reference firmware for ESP32 boards (Arduino core for the ESP32).
//
// Reads an HX711 load-cell amplifier at 80 SPS (and an optional MPU-6050 IMU on I2C) and streams
// isoforce frames over USB serial (115200 baud) and, to a connected Bluetooth LE central, over
// the Nordic UART Service. Commands (tare, rate, start/stop, ...) arrive on either link. All
// logic is the portable isoforce library in ../libraries/isoforce, compiled and tested on the
// host; this file moves pins and bytes only. Flashing, wiring and commands:
// firmware_notes/README.md.
#include <Arduino.h>
#include <BLE2902.h>
#include <BLEDevice.h>
#include <BLEServer.h>
#include <BLEUtils.h>
#include <Wire.h>
#include <isoforce_app.h>
#include <isoforce_hx711.h>
#include <isoforce_imu.h>

// ---- wiring (change to match your board) ----------------------------------------------------
static const uint8_t PIN_HX711_DOUT = 16;  // HX711 DT / DOUT
static const uint8_t PIN_HX711_SCK = 4;    // HX711 SCK / PD_SCK
static const int8_t PIN_HX711_RATE = -1;   // HX711 RATE pin if wired (high = 80 SPS); -1 = jumper
static const uint16_t ADC_RATE_HZ = 80;    // set to 10 if your HX711 board runs at 10 SPS
static const unsigned long SERIAL_BAUD = 115200;
static const uint32_t I2C_CLOCK_HZ = 400000;  // default pins: SDA 21, SCL 22
static const uint8_t IMU_ADDR = ISF_MPU6050_ADDR;

// ---- Nordic UART Service (device-protocols.md section 14) -----------------------------------
static const char *BLE_NAME = "isoforce";
static const char *NUS_SERVICE = "6e400001-b5a3-f393-e0a9-e50e24dcca9e";
static const char *NUS_RX = "6e400002-b5a3-f393-e0a9-e50e24dcca9e";  // central writes commands
static const char *NUS_TX = "6e400003-b5a3-f393-e0a9-e50e24dcca9e";  // we notify frames
static const size_t BLE_CHUNK = 20;  // ATT payload at the default MTU; the host reassembles
static const int COMMAND_QUEUE_BYTES = 64;

static isf_app app;
static isf_hx711 hx;
static bool imu_present = false;
static portMUX_TYPE hx_mux = portMUX_INITIALIZER_UNLOCKED;
static BLECharacteristic *tx_char = nullptr;
static volatile bool ble_connected = false;
static QueueHandle_t commands = nullptr;  // bytes from BLE writes, handled in loop()

static int hx_dout(void *) { return digitalRead(PIN_HX711_DOUT); }
static void hx_sck(void *, int level) { digitalWrite(PIN_HX711_SCK, level ? HIGH : LOW); }
static void hx_delay(void *, unsigned us) { delayMicroseconds(us); }
static void hx_critical(void *, int enter) {
  if (enter) {
    portENTER_CRITICAL(&hx_mux);
  } else {
    portEXIT_CRITICAL(&hx_mux);
  }
}

static void write_out(void *, const uint8_t *data, size_t len) {
  Serial.write(data, len);
  if (ble_connected && tx_char != nullptr) {
    for (size_t at = 0; at < len; at += BLE_CHUNK) {
      size_t n = len - at < BLE_CHUNK ? len - at : BLE_CHUNK;
      tx_char->setValue(const_cast<uint8_t *>(data + at), n);
      tx_char->notify();
    }
  }
}

class ServerEvents : public BLEServerCallbacks {
  void onConnect(BLEServer *) override { ble_connected = true; }
  void onDisconnect(BLEServer *) override {
    ble_connected = false;
    BLEDevice::startAdvertising();  // be findable again
  }
};

class RxEvents : public BLECharacteristicCallbacks {
  // Runs in the Bluetooth task: only queue the bytes; loop() hands them to the app.
  void onWrite(BLECharacteristic *c) override {
    auto value = c->getValue();  // std::string (core 2.x) or String (core 3.x)
    const char *bytes = value.c_str();
    for (size_t i = 0; i < value.length(); ++i) {
      uint8_t b = (uint8_t)bytes[i];
      xQueueSend(commands, &b, 0);
    }
  }
};

static bool imu_write(uint8_t reg, uint8_t value) {
  Wire.beginTransmission(IMU_ADDR);
  Wire.write(reg);
  Wire.write(value);
  return Wire.endTransmission() == 0;
}

static bool imu_read(uint8_t reg, uint8_t *out, uint8_t count) {
  Wire.beginTransmission(IMU_ADDR);
  Wire.write(reg);
  if (Wire.endTransmission(false) != 0) {
    return false;
  }
  if (Wire.requestFrom(IMU_ADDR, count) != count) {
    return false;
  }
  for (uint8_t i = 0; i < count; ++i) {
    out[i] = (uint8_t)Wire.read();
  }
  return true;
}

static bool imu_begin() {
  uint8_t who = 0;
  if (!imu_read(ISF_MPU6050_WHO_AM_I, &who, 1) || who != ISF_MPU6050_WHO_AM_I_VALUE) {
    return false;
  }
  return imu_write(ISF_MPU6050_PWR_MGMT_1, 0x00) &&
         imu_write(ISF_MPU6050_CONFIG, ISF_MPU6050_DLPF_44HZ) &&
         imu_write(ISF_MPU6050_GYRO_CONFIG, ISF_MPU6050_GYRO_FS_250) &&
         imu_write(ISF_MPU6050_ACCEL_CONFIG, ISF_MPU6050_ACCEL_FS_2G);
}

static void ble_begin() {
  BLEDevice::init(BLE_NAME);
  BLEServer *server = BLEDevice::createServer();
  server->setCallbacks(new ServerEvents());
  BLEService *service = server->createService(NUS_SERVICE);
  tx_char = service->createCharacteristic(NUS_TX, BLECharacteristic::PROPERTY_NOTIFY);
  tx_char->addDescriptor(new BLE2902());
  BLECharacteristic *rx = service->createCharacteristic(
      NUS_RX, BLECharacteristic::PROPERTY_WRITE | BLECharacteristic::PROPERTY_WRITE_NR);
  rx->setCallbacks(new RxEvents());
  service->start();
  BLEAdvertising *advertising = BLEDevice::getAdvertising();
  advertising->addServiceUUID(NUS_SERVICE);
  advertising->setScanResponse(true);
  BLEDevice::startAdvertising();
}

void setup() {
  pinMode(PIN_HX711_DOUT, INPUT);
  pinMode(PIN_HX711_SCK, OUTPUT);
  digitalWrite(PIN_HX711_SCK, LOW);
  if (PIN_HX711_RATE >= 0) {
    pinMode(PIN_HX711_RATE, OUTPUT);
    digitalWrite(PIN_HX711_RATE, HIGH);
  }
  Serial.begin(SERIAL_BAUD);
  Wire.begin();
  Wire.setClock(I2C_CLOCK_HZ);
  imu_present = imu_begin();
  commands = xQueueCreate(COMMAND_QUEUE_BYTES, 1);
  ble_begin();
  hx.read_dout = hx_dout;
  hx.write_sck = hx_sck;
  hx.delay_us = hx_delay;
  hx.critical = hx_critical;
  hx.ctx = nullptr;
  hx.gain_pulses = ISF_HX711_GAIN_A128;
  isf_imu_scale scale = isf_mpu6050_scale();
  isf_app_init(&app, ADC_RATE_HZ, imu_present ? &scale : nullptr, write_out, nullptr);
}

void loop() {
  uint8_t b;
  while (Serial.available() > 0) {
    b = (uint8_t)Serial.read();
    isf_app_input(&app, &b, 1);
  }
  while (xQueueReceive(commands, &b, 0) == pdTRUE) {
    isf_app_input(&app, &b, 1);
  }
  if (!isf_hx711_is_ready(&hx)) {
    delay(1);  // 80 SPS: a conversion every 12.5 ms; let the other tasks run
    return;
  }
  uint32_t t_us = (uint32_t)micros();
  int32_t raw = isf_hx711_read(&hx);
  uint8_t burst[ISF_MPU6050_BURST_BYTES];
  isf_imu_raw imu;
  bool have_imu = imu_present && imu_read(ISF_MPU6050_ACCEL_XOUT_H, burst, sizeof burst);
  if (have_imu) {
    isf_mpu6050_parse(burst, &imu);
  }
  isf_app_sample(&app, t_us, raw, have_imu ? &imu : nullptr);
}
