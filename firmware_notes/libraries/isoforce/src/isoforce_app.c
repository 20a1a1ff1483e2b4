/* The isoforce firmware logic; see isoforce_app.h. */
#include "isoforce_app.h"

#include <stdio.h>

#define ISF_MICRO_PER_MILLI 1000000L /* (counts * 1e6) / (counts/N * 1e3) = 0.001 N */

static int32_t div_round(int64_t x, int64_t n) {
    return (int32_t)(x >= 0 ? (x + n / 2) / n : (x - n / 2) / n);
}

static void reset_window(isf_app *app) {
    unsigned i;
    app->window_n = 0;
    app->window_imu_n = 0;
    app->sum_load = 0;
    for (i = 0; i < ISF_IMU_AXES; ++i) {
        app->sum_imu[i] = 0;
    }
}

void isf_app_say(isf_app *app, const char *text) {
    uint8_t frame[ISF_HEADER_BYTES + ISF_MAX_TEXT_BYTES + ISF_CRC_BYTES];
    size_t n = isf_encode_text(frame, sizeof frame, text);
    if (n) {
        app->write(app->ctx, frame, n);
    }
}

static void say_info(isf_app *app) {
    char text[ISF_MAX_TEXT_BYTES + 1];
    snprintf(text, sizeof text, "isoforce fw %s adc %u rate %u imu %s cal %s", ISF_FW_VERSION,
             (unsigned)app->adc_rate_hz, (unsigned)app->rate_hz, app->has_imu ? "yes" : "no",
             app->cal_milli ? "on" : "off");
    isf_app_say(app, text);
}

void isf_app_init(isf_app *app, uint16_t adc_rate_hz, const isf_imu_scale *imu_scale,
                  isf_write_fn write, void *ctx) {
    app->write = write;
    app->ctx = ctx;
    app->adc_rate_hz = adc_rate_hz ? adc_rate_hz : 1u;
    app->rate_hz = app->adc_rate_hz;
    app->running = 1;
    app->has_imu = imu_scale != 0;
    if (imu_scale != 0) {
        app->imu_scale = *imu_scale;
    }
    app->seq = 0;
    app->tare_left = 0;
    app->tare_sum = 0;
    app->zero = 0;
    app->cal_milli = 0;
    app->line_len = 0;
    app->line_overflow = 0;
    reset_window(app);
    say_info(app);
}

static void send_window(isf_app *app, uint32_t t_us) {
    int32_t values[ISF_MAX_CHANNELS];
    uint8_t frame[ISF_MAX_FRAME_BYTES];
    uint16_t mask = (uint16_t)(1u << ISF_CH_LOAD_RAW);
    unsigned k = 0;
    unsigned i;
    int32_t load = div_round(app->sum_load, app->window_n);
    size_t n;
    values[k++] = load;
    if (app->has_imu && app->window_imu_n) {
        const isf_imu_scale *s = &app->imu_scale;
        for (i = 0; i < ISF_IMU_AXES; ++i) {
            int32_t counts = div_round(app->sum_imu[i], app->window_imu_n);
            values[k++] = i < 3u ? isf_scale_round(counts, s->acc_ug_num, s->acc_ug_den)
                                 : isf_scale_round(counts, s->gyro_mdps_num, s->gyro_mdps_den);
            mask |= (uint16_t)(1u << (ISF_CH_ACC_X + i));
        }
    }
    if (app->cal_milli != 0) {
        values[k++] = div_round((int64_t)(load - app->zero) * ISF_MICRO_PER_MILLI, app->cal_milli);
        mask |= (uint16_t)(1u << ISF_CH_FORCE_N);
    }
    n = isf_encode_samples(frame, sizeof frame, app->seq, t_us, mask, values);
    app->seq = (uint16_t)(app->seq + 1u);
    app->write(app->ctx, frame, n);
}

void isf_app_sample(isf_app *app, uint32_t t_us, int32_t load_raw, const isf_imu_raw *imu) {
    unsigned i;
    if (app->tare_left) {
        char text[ISF_MAX_TEXT_BYTES + 1];
        app->tare_sum += load_raw;
        if (--app->tare_left == 0) {
            app->zero = div_round(app->tare_sum, ISF_TARE_SAMPLES);
            snprintf(text, sizeof text, "ok tare %ld", (long)app->zero);
            isf_app_say(app, text);
        }
    }
    app->sum_load += load_raw;
    if (app->has_imu && imu != 0) {
        for (i = 0; i < 3u; ++i) {
            app->sum_imu[i] += imu->acc[i];
            app->sum_imu[3u + i] += imu->gyro[i];
        }
        ++app->window_imu_n;
    }
    if (++app->window_n < app->adc_rate_hz / app->rate_hz) {
        return;
    }
    if (app->running) {
        send_window(app, t_us);
    }
    reset_window(app);
}

static void handle(isf_app *app, const char *line) {
    char text[ISF_MAX_TEXT_BYTES + 1];
    isf_cmd cmd = isf_parse_command(line);
    switch (cmd.kind) {
    case ISF_CMD_START:
        app->running = 1;
        reset_window(app);
        isf_app_say(app, "ok start");
        break;
    case ISF_CMD_STOP:
        app->running = 0;
        isf_app_say(app, "ok stop");
        break;
    case ISF_CMD_TARE:
        app->tare_left = ISF_TARE_SAMPLES;
        app->tare_sum = 0;
        break;
    case ISF_CMD_RATE:
        if (cmd.value > 0 && cmd.value <= (int32_t)app->adc_rate_hz &&
            app->adc_rate_hz % (uint16_t)cmd.value == 0) {
            app->rate_hz = (uint16_t)cmd.value;
            reset_window(app);
            snprintf(text, sizeof text, "ok rate %u", (unsigned)app->rate_hz);
        } else {
            snprintf(text, sizeof text, "err rate %ld: use a divisor of %u", (long)cmd.value,
                     (unsigned)app->adc_rate_hz);
        }
        isf_app_say(app, text);
        break;
    case ISF_CMD_CAL: {
        long v = (long)cmd.value;
        long mag = v < 0 ? -v : v;
        app->cal_milli = cmd.value;
        if (v == 0) {
            isf_app_say(app, "ok cal off");
        } else {
            snprintf(text, sizeof text, "ok cal %s%ld.%03ld counts/N", v < 0 ? "-" : "", mag / 1000L,
                     mag % 1000L);
            isf_app_say(app, text);
        }
        break;
    }
    case ISF_CMD_INFO:
        say_info(app);
        break;
    case ISF_CMD_HELP:
        isf_app_say(app, "commands: s x t r<hz> c<counts/N> i ?");
        break;
    case ISF_CMD_UNKNOWN:
        isf_app_say(app, "err unknown command; ? for help");
        break;
    case ISF_CMD_BAD_VALUE:
        isf_app_say(app, "err bad number");
        break;
    case ISF_CMD_NONE:
    default:
        break;
    }
}

void isf_app_input(isf_app *app, const uint8_t *data, size_t len) {
    size_t i;
    for (i = 0; i < len; ++i) {
        char c = (char)data[i];
        if (c == '\n' || c == '\r') {
            if (app->line_overflow) {
                isf_app_say(app, "err line too long");
            } else if (app->line_len) {
                app->line[app->line_len] = '\0';
                handle(app, app->line);
            }
            app->line_len = 0;
            app->line_overflow = 0;
        } else if (app->line_len < ISF_LINE_MAX) {
            app->line[app->line_len++] = c;
        } else {
            app->line_overflow = 1;
        }
    }
}
