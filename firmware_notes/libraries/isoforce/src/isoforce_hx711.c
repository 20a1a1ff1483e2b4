/* HX711 bit-banged read; see isoforce_hx711.h. */
#include "isoforce_hx711.h"

static void pause_us(const isf_hx711 *hx) {
    if (hx->delay_us != 0) {
        hx->delay_us(hx->ctx, ISF_HX711_PULSE_US);
    }
}

int isf_hx711_is_ready(const isf_hx711 *hx) { return hx->read_dout(hx->ctx) == 0; }

int32_t isf_hx711_read(const isf_hx711 *hx) {
    uint32_t value = 0;
    unsigned i;
    unsigned extra = hx->gain_pulses ? hx->gain_pulses : ISF_HX711_GAIN_A128;
    if (hx->critical != 0) {
        hx->critical(hx->ctx, 1);
    }
    for (i = 0; i < ISF_HX711_BITS; ++i) {
        hx->write_sck(hx->ctx, 1);
        pause_us(hx);
        value = (value << 1) | (uint32_t)(hx->read_dout(hx->ctx) ? 1u : 0u);
        hx->write_sck(hx->ctx, 0);
        pause_us(hx);
    }
    for (i = 0; i < extra; ++i) {
        hx->write_sck(hx->ctx, 1);
        pause_us(hx);
        hx->write_sck(hx->ctx, 0);
        pause_us(hx);
    }
    if (hx->critical != 0) {
        hx->critical(hx->ctx, 0);
    }
    if (value & (uint32_t)ISF_HX711_SIGN_BIT) {
        return (int32_t)value - (int32_t)(2L * ISF_HX711_SIGN_BIT);
    }
    return (int32_t)value;
}
