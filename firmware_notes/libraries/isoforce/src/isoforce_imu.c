/* MPU-6050 parsing and unit conversion; see isoforce_imu.h. */
#include "isoforce_imu.h"

#define ISF_UG_PER_G 1000000L
#define ISF_MDPS_PER_DPS 1000L

isf_imu_scale isf_mpu6050_scale(void) {
    isf_imu_scale s;
    s.acc_ug_num = ISF_UG_PER_G;
    s.acc_ug_den = ISF_MPU6050_LSB_PER_G;
    s.gyro_mdps_num = ISF_MDPS_PER_DPS;
    s.gyro_mdps_den = ISF_MPU6050_LSB_PER_DPS;
    return s;
}

static int16_t be16(const uint8_t *p) { return (int16_t)(uint16_t)(((uint16_t)p[0] << 8) | p[1]); }

void isf_mpu6050_parse(const uint8_t burst[ISF_MPU6050_BURST_BYTES], isf_imu_raw *out) {
    unsigned i;
    for (i = 0; i < 3u; ++i) {
        out->acc[i] = be16(burst + 2u * i);
        out->gyro[i] = be16(burst + 8u + 2u * i); /* bytes 6-7 are the temperature */
    }
}

int32_t isf_scale_round(int32_t counts, int32_t num, int32_t den) {
    int64_t x = (int64_t)counts * num;
    int64_t half = den / 2;
    return (int32_t)(x >= 0 ? (x + half) / den : (x - half) / den);
}
