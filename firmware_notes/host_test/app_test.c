/*
 * Host tests of the portable firmware parts (compiled with gcc by tests/firmware/).
 *
 *   app_test            run the unit checks; exit 0 if all pass
 *   app_test session    write a scripted firmware session (frames) to stdout for the Python
 *                       decoder to check (tests/firmware/test_firmware_host.py)
 */
#include <stdio.h>
#include <string.h>

#include "isoforce_app.h"
#include "isoforce_cmd.h"
#include "isoforce_frame.h"
#include "isoforce_hx711.h"
#include "isoforce_imu.h"

static int failures;

#define CHECK(cond)                                                                \
    do {                                                                           \
        if (!(cond)) {                                                             \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            ++failures;                                                            \
        }                                                                          \
    } while (0)

/* ---- an emulated HX711: shifts a 24-bit value out on rising clock edges -------------------- */

typedef struct {
    uint32_t value; /* 24-bit two's complement */
    int sck;
    unsigned pulses;
    int dout;
    int critical_depth;
    int critical_max;
    int high_while_not_critical;
} fake_hx711;

static int fake_dout(void *ctx) { return ((fake_hx711 *)ctx)->dout; }

static void fake_sck(void *ctx, int level) {
    fake_hx711 *hx = (fake_hx711 *)ctx;
    if (level && !hx->sck) { /* rising edge: next bit appears on DOUT */
        hx->dout = hx->pulses < 24u ? (int)((hx->value >> (23u - hx->pulses)) & 1u) : 1;
        ++hx->pulses;
        if (hx->critical_depth == 0) {
            hx->high_while_not_critical = 1;
        }
    }
    hx->sck = level;
}

static void fake_critical(void *ctx, int enter) {
    fake_hx711 *hx = (fake_hx711 *)ctx;
    hx->critical_depth += enter ? 1 : -1;
    if (hx->critical_depth > hx->critical_max) {
        hx->critical_max = hx->critical_depth;
    }
}

static int32_t read_fake(uint32_t value, uint8_t gain, fake_hx711 *hx) {
    isf_hx711 dev;
    memset(hx, 0, sizeof *hx);
    hx->value = value & 0xFFFFFFu;
    dev.read_dout = fake_dout;
    dev.write_sck = fake_sck;
    dev.delay_us = NULL;
    dev.critical = fake_critical;
    dev.ctx = hx;
    dev.gain_pulses = gain;
    CHECK(isf_hx711_is_ready(&dev));
    return isf_hx711_read(&dev);
}

static void test_hx711(void) {
    fake_hx711 hx;
    CHECK(read_fake(0, ISF_HX711_GAIN_A128, &hx) == 0);
    CHECK(hx.pulses == 25u && hx.sck == 0 && hx.critical_max == 1 && hx.critical_depth == 0);
    CHECK(!hx.high_while_not_critical);
    CHECK(read_fake(12345, ISF_HX711_GAIN_B32, &hx) == 12345);
    CHECK(hx.pulses == 26u);
    CHECK(read_fake(0x7FFFFFu, ISF_HX711_GAIN_A64, &hx) == 8388607L);
    CHECK(hx.pulses == 27u);
    CHECK(read_fake(0x800000u, 0, &hx) == -8388608L);
    CHECK(hx.pulses == 25u);
    CHECK(read_fake(0xFFFFFFu, 1, &hx) == -1);
    CHECK(read_fake((uint32_t)-84000 & 0xFFFFFFu, 1, &hx) == -84000L);
}

/* ---- commands ------------------------------------------------------------------------------- */

static void test_commands(void) {
    int32_t v = 0;
    CHECK(isf_parse_command("s").kind == ISF_CMD_START);
    CHECK(isf_parse_command(" START ").kind == ISF_CMD_START);
    CHECK(isf_parse_command("x").kind == ISF_CMD_STOP);
    CHECK(isf_parse_command("Stop").kind == ISF_CMD_STOP);
    CHECK(isf_parse_command("t").kind == ISF_CMD_TARE);
    CHECK(isf_parse_command("tare").kind == ISF_CMD_TARE);
    CHECK(isf_parse_command("i").kind == ISF_CMD_INFO);
    CHECK(isf_parse_command("?").kind == ISF_CMD_HELP);
    CHECK(isf_parse_command("help").kind == ISF_CMD_HELP);
    CHECK(isf_parse_command("").kind == ISF_CMD_NONE);
    CHECK(isf_parse_command("   ").kind == ISF_CMD_NONE);
    CHECK(isf_parse_command("starts").kind == ISF_CMD_UNKNOWN);
    CHECK(isf_parse_command("zz").kind == ISF_CMD_UNKNOWN);
    CHECK(isf_parse_command("r 40").kind == ISF_CMD_RATE && isf_parse_command("r 40").value == 40);
    CHECK(isf_parse_command("rate 10").value == 10);
    CHECK(isf_parse_command("r").kind == ISF_CMD_BAD_VALUE);
    CHECK(isf_parse_command("r 0").kind == ISF_CMD_BAD_VALUE);
    CHECK(isf_parse_command("r 4.5").kind == ISF_CMD_BAD_VALUE);
    CHECK(isf_parse_command("r -5").kind == ISF_CMD_BAD_VALUE);
    CHECK(isf_parse_command("c 2250.5").kind == ISF_CMD_CAL);
    CHECK(isf_parse_command("cal 2250.5").value == 2250500L);
    CHECK(isf_parse_command("c -12.25").value == -12250L);
    CHECK(isf_parse_command("c abc").kind == ISF_CMD_BAD_VALUE);
    CHECK(isf_parse_milli("1.2345", &v) == 0 && v == 1234);
    CHECK(isf_parse_milli("+3", &v) == 0 && v == 3000);
    CHECK(isf_parse_milli(".5", &v) == 0 && v == 500);
    CHECK(isf_parse_milli(".", &v) == -1);
    CHECK(isf_parse_milli("1e3", &v) == -1);
    CHECK(isf_parse_milli("99999999", &v) == -1);
}

/* ---- IMU ------------------------------------------------------------------------------------ */

static void test_imu(void) {
    static const uint8_t burst[ISF_MPU6050_BURST_BYTES] = {
        0x40, 0x00, 0xC0, 0x00, 0x00, 0x01, 0x12, 0x34, 0x00, 0x83, 0xFF, 0x7D, 0x7F, 0xFF};
    isf_imu_raw raw;
    isf_imu_scale s = isf_mpu6050_scale();
    isf_mpu6050_parse(burst, &raw);
    CHECK(raw.acc[0] == 16384 && raw.acc[1] == -16384 && raw.acc[2] == 1);
    CHECK(raw.gyro[0] == 131 && raw.gyro[1] == -131 && raw.gyro[2] == 32767);
    CHECK(isf_scale_round(16384, s.acc_ug_num, s.acc_ug_den) == 1000000L);
    CHECK(isf_scale_round(-16384, s.acc_ug_num, s.acc_ug_den) == -1000000L);
    CHECK(isf_scale_round(1, s.acc_ug_num, s.acc_ug_den) == 61); /* 61.03515625 */
    CHECK(isf_scale_round(-131, s.gyro_mdps_num, s.gyro_mdps_den) == -1000);
    CHECK(isf_scale_round(1, s.gyro_mdps_num, s.gyro_mdps_den) == 8); /* 7.63 */
}

/* ---- the app ---------------------------------------------------------------------------------- */

typedef struct {
    uint8_t data[65536];
    size_t len;
    unsigned frames[3]; /* by type */
} capture;

static void capture_write(void *ctx, const uint8_t *data, size_t len) {
    capture *c = (capture *)ctx;
    if (len >= 4u && data[0] == ISF_SYNC0 && data[1] == ISF_SYNC1 && data[2] < 3u) {
        ++c->frames[data[2]];
    }
    if (c->len + len <= sizeof c->data) {
        memcpy(c->data + c->len, data, len);
        c->len += len;
    }
}

static void send_line(isf_app *app, const char *line) {
    isf_app_input(app, (const uint8_t *)line, strlen(line));
}

static capture cap;

static void session(void) {
    isf_app app;
    isf_imu_scale scale = isf_mpu6050_scale();
    isf_imu_raw imu = {{16384, -16384, 0}, {131, -131, 1}};
    uint32_t t = 0xFFFFFFFFu - 500000u; /* the device clock wraps during the session */
    int i;
    memset(&cap, 0, sizeof cap);
    isf_app_init(&app, 80, &scale, capture_write, &cap);
    send_line(&app, "i\n");
    for (i = 0; i < 80; ++i, t += 12500u) isf_app_sample(&app, t, 100000 + i, &imu);
    send_line(&app, "r 20\r");
    for (i = 0; i < 40; ++i, t += 12500u) isf_app_sample(&app, t, 200000 + i, &imu);
    send_line(&app, "t\n");
    for (i = 0; i < 16; ++i, t += 12500u) isf_app_sample(&app, t, 5000, &imu);
    send_line(&app, "c 2000\n");
    for (i = 0; i < 8; ++i, t += 12500u) isf_app_sample(&app, t, 25000, &imu);
    send_line(&app, "x\n");
    for (i = 0; i < 8; ++i, t += 12500u) isf_app_sample(&app, t, 1, &imu);
    send_line(&app, "s\n");
    for (i = 0; i < 4; ++i, t += 12500u) isf_app_sample(&app, t, -7, NULL);
    send_line(&app, "bogus\nr 30\n");
    send_line(&app, "r 7777777777777777777777777777777777777777\n");
}

static void test_app(void) {
    session();
    /* 80 + 10 + 4 + 2 + 0 + 1 sample frames; replies: info x2 (init, i), rate, tare, cal, stop,
     * start, unknown, err rate, line too long */
    CHECK(cap.frames[ISF_TYPE_SAMPLES] == 97u);
    CHECK(cap.frames[ISF_TYPE_TEXT] == 10u);
}

int main(int argc, char **argv) {
    if (argc == 2 && strcmp(argv[1], "session") == 0) {
        session();
        return fwrite(cap.data, 1, cap.len, stdout) == cap.len ? 0 : 3;
    }
    test_hx711();
    test_commands();
    test_imu();
    test_app();
    if (failures) {
        fprintf(stderr, "%d checks failed\n", failures);
        return 1;
    }
    printf("ok\n");
    return 0;
}
