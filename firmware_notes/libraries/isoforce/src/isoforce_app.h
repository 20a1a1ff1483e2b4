/*
 * The isoforce firmware's logic, free of hardware: feed it ADC readings (and optional IMU
 * readings) and command bytes; it averages, tares, scales and writes isoforce frames through a
 * write callback (USB serial, the Nordic UART Service, or a test buffer). The Arduino sketches
 * only read pins and move bytes; everything else is here and is tested on the host.
 */
#ifndef ISOFORCE_APP_H
#define ISOFORCE_APP_H

#include <stddef.h>
#include <stdint.h>

#include "isoforce_cmd.h"
#include "isoforce_frame.h"
#include "isoforce_imu.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ISF_FW_VERSION "1.0"
#define ISF_LINE_MAX 32u
#define ISF_TARE_SAMPLES 16u
#define ISF_IMU_AXES 6u

typedef void (*isf_write_fn)(void *ctx, const uint8_t *data, size_t len);

typedef struct {
    isf_write_fn write;
    void *ctx;
    uint16_t adc_rate_hz; /* conversions per second of the ADC (HX711: 10 or 80) */
    uint16_t rate_hz;     /* frames per second; divides adc_rate_hz */
    uint8_t running;
    uint8_t has_imu;
    isf_imu_scale imu_scale;
    uint16_t seq; /* of the next frame sent */
    uint8_t window_n;
    uint8_t window_imu_n;
    int32_t sum_load;
    int32_t sum_imu[ISF_IMU_AXES];
    uint8_t tare_left;
    int32_t tare_sum;
    int32_t zero;      /* raw counts at zero force (tare) */
    int32_t cal_milli; /* counts per newton x 1000; 0 = no on-device force channel */
    char line[ISF_LINE_MAX + 1];
    uint8_t line_len;
    uint8_t line_overflow;
} isf_app;

/* Set up; imu_scale NULL = no IMU. Streaming starts at once at the ADC rate; says hello. */
void isf_app_init(isf_app *app, uint16_t adc_rate_hz, const isf_imu_scale *imu_scale,
                  isf_write_fn write, void *ctx);

/* One ADC conversion taken at t_us (device microseconds, wrapping), with the IMU's reading
 * taken at the same moment (NULL if none). Sends a frame every adc_rate/rate readings: the mean
 * of the window, stamped with the time of its last reading. */
void isf_app_sample(isf_app *app, uint32_t t_us, int32_t load_raw, const isf_imu_raw *imu);

/* Bytes received from the host: command lines (see isoforce_cmd.h). */
void isf_app_input(isf_app *app, const uint8_t *data, size_t len);

/* Send a text frame. */
void isf_app_say(isf_app *app, const char *text);

#ifdef __cplusplus
}
#endif

#endif /* ISOFORCE_APP_H */
