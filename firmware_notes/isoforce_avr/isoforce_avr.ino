// isoforce reference firmware for Arduino Uno / Nano (ATmega328P, 16 MHz).
//
// Reads an HX711 load-cell amplifier at 80 SPS (and an optional MPU-6050 IMU on I2C) and streams
// isoforce frames over USB serial at 115200 baud. All logic (averaging, tare, commands, frame
// encoding) is the portable isoforce library in ../libraries/isoforce; this file moves pins and
// bytes only. Flashing, wiring and commands: firmware_notes/README.md.
#include <Arduino.h>
#include <Wire.h>
#include <isoforce_app.h>
#include <isoforce_hx711.h>
#include <isoforce_imu.h>

// ---- wiring (change to match your board) ----------------------------------------------------
static const uint8_t PIN_HX711_DOUT = 2;  // HX711 DT / DOUT
static const uint8_t PIN_HX711_SCK = 3;   // HX711 SCK / PD_SCK
static const int8_t PIN_HX711_RATE = -1;  // HX711 RATE pin if wired (high = 80 SPS); -1 = jumper
static const uint16_t ADC_RATE_HZ = 80;   // set to 10 if your HX711 board runs at 10 SPS
static const unsigned long SERIAL_BAUD = 115200;
static const unsigned long I2C_CLOCK_HZ = 400000;
static const unsigned long I2C_TIMEOUT_US = 3000;
static const uint8_t IMU_ADDR = ISF_MPU6050_ADDR;
static const uint8_t INPUT_CHUNK = 16;

static isf_app app;
static isf_hx711 hx;
static bool imu_present = false;

static int hx_dout(void *) { return digitalRead(PIN_HX711_DOUT); }
static void hx_sck(void *, int level) { digitalWrite(PIN_HX711_SCK, level ? HIGH : LOW); }
static void hx_delay(void *, unsigned us) { delayMicroseconds(us); }
static void hx_critical(void *, int enter) {
  if (enter) {
    noInterrupts();
  } else {
    interrupts();
  }
}
static void serial_write(void *, const uint8_t *data, size_t len) { Serial.write(data, len); }

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
#if defined(WIRE_HAS_TIMEOUT)
  Wire.setWireTimeout(I2C_TIMEOUT_US, true);  // a missing IMU must not hang the loop
#endif
  imu_present = imu_begin();
  hx.read_dout = hx_dout;
  hx.write_sck = hx_sck;
  hx.delay_us = hx_delay;
  hx.critical = hx_critical;
  hx.ctx = nullptr;
  hx.gain_pulses = ISF_HX711_GAIN_A128;
  isf_imu_scale scale = isf_mpu6050_scale();
  isf_app_init(&app, ADC_RATE_HZ, imu_present ? &scale : nullptr, serial_write, nullptr);
}

// Commands are read right after a reading, when the next conversion is a whole period away
// (12.5 ms at 80 SPS): a reply written while a conversion became ready would hold back the
// reading's time stamp (a full serial buffer blocks the write). With no reading for
// INPUT_IDLE_US (no ADC, or one that stopped), commands are read anyway, so they are answered.
static const uint32_t INPUT_IDLE_US = 150000;  // longer than a 10 SPS conversion (100 ms)
static uint32_t last_reading_us = 0;

static void read_commands() {
  uint8_t input[INPUT_CHUNK];
  size_t n = 0;
  while (n < sizeof input && Serial.available() > 0) {
    input[n++] = (uint8_t)Serial.read();
  }
  if (n > 0) {
    isf_app_input(&app, input, n);
  }
}

void loop() {
  if (!isf_hx711_is_ready(&hx)) {
    if ((uint32_t)(micros() - last_reading_us) > INPUT_IDLE_US) {
      read_commands();
    }
    return;
  }
  uint32_t t_us = micros();
  int32_t raw = isf_hx711_read(&hx);
  uint8_t burst[ISF_MPU6050_BURST_BYTES];
  isf_imu_raw imu;
  bool have_imu = imu_present && imu_read(ISF_MPU6050_ACCEL_XOUT_H, burst, sizeof burst);
  if (have_imu) {
    isf_mpu6050_parse(burst, &imu);
  }
  isf_app_sample(&app, t_us, raw, have_imu ? &imu : nullptr);
  last_reading_us = t_us;
  read_commands();
}
