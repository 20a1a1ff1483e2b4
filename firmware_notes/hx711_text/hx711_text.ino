// A plain-text HX711 sketch for an Arduino Uno / Nano, as the common Arduino HX711 examples
// print: one line "HX711 reading: <counts>" per conversion, 57600 baud (bogde/HX711's basic
// example's line and rate; device-protocols.md §16). isoforce reads it as device `hx711`.
//
// It is here as the text counterpart of isoforce_avr.ino for the firmware-in-the-loop test
// (simavr.md): same wiring (DOUT D2, SCK D3), same HX711 reader from the isoforce library. For a
// real rig use isoforce_avr.ino: text lines carry no sequence number and no clock, so isoforce
// can neither count lost lines nor time samples by the board.
#include <Arduino.h>
#include <isoforce_hx711.h>

static const uint8_t PIN_HX711_DOUT = 2;
static const uint8_t PIN_HX711_SCK = 3;
static const unsigned long SERIAL_BAUD = 57600;

static isf_hx711 hx;

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

void setup() {
  pinMode(PIN_HX711_DOUT, INPUT);
  pinMode(PIN_HX711_SCK, OUTPUT);
  digitalWrite(PIN_HX711_SCK, LOW);
  Serial.begin(SERIAL_BAUD);
  hx.read_dout = hx_dout;
  hx.write_sck = hx_sck;
  hx.delay_us = hx_delay;
  hx.critical = hx_critical;
  hx.ctx = nullptr;
  hx.gain_pulses = ISF_HX711_GAIN_A128;
}

void loop() {
  if (!isf_hx711_is_ready(&hx)) {
    return;
  }
  long counts = (long)isf_hx711_read(&hx);
  Serial.print("HX711 reading: ");
  Serial.println(counts);
}
