/*
 * HX711 24-bit load-cell ADC, read by bit-banging two pins through callbacks (portable C).
 *
 * Protocol (Avia Semiconductor HX711 datasheet; bogde/HX711 src/HX711.cpp): DOUT goes low when
 * a conversion is ready; 24 clock pulses on PD_SCK shift the result out MSB first (two's
 * complement); 1, 2 or 3 more pulses select the next conversion: channel A gain 128, channel B
 * gain 32, channel A gain 64. PD_SCK high for more than 60 us powers the chip down, so the read
 * runs with interrupts held off (the critical callback) and keeps each high phase short.
 */
#ifndef ISOFORCE_HX711_H
#define ISOFORCE_HX711_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ISF_HX711_BITS 24u
#define ISF_HX711_GAIN_A128 1u /* extra pulses after the 24 data bits */
#define ISF_HX711_GAIN_B32 2u
#define ISF_HX711_GAIN_A64 3u
#define ISF_HX711_SIGN_BIT 0x800000L
#define ISF_HX711_PULSE_US 1u /* high and low time of one clock pulse */

typedef struct {
    int (*read_dout)(void *ctx);              /* level of DOUT: 0 or 1 */
    void (*write_sck)(void *ctx, int level);  /* drive PD_SCK */
    void (*delay_us)(void *ctx, unsigned us); /* may be NULL where a pin write is slow enough */
    void (*critical)(void *ctx, int enter);   /* 1: hold interrupts off, 0: allow; may be NULL */
    void *ctx;
    uint8_t gain_pulses;
} isf_hx711;

/* A conversion is ready (DOUT low). */
int isf_hx711_is_ready(const isf_hx711 *hx);

/* Shift out one conversion (call only when ready); returns the sign-extended 24-bit value. */
int32_t isf_hx711_read(const isf_hx711 *hx);

#ifdef __cplusplus
}
#endif

#endif /* ISOFORCE_HX711_H */
