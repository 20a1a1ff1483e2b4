/*
 * Optional I2C IMU: an InvenSense MPU-6050 (the common GY-521 board), register facts from
 * "MPU-6000 and MPU-6050 Register Map and Descriptions", revision 4.2. The sketches do the I2C
 * transfers; parsing and unit conversion are here so they compile and are tested on the host.
 */
#ifndef ISOFORCE_IMU_H
#define ISOFORCE_IMU_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ISF_MPU6050_ADDR 0x68u       /* AD0 low; 0x69 with AD0 high */
#define ISF_MPU6050_WHO_AM_I 0x75u   /* reads 0x68 */
#define ISF_MPU6050_WHO_AM_I_VALUE 0x68u
#define ISF_MPU6050_PWR_MGMT_1 0x6Bu /* write 0x00 to wake from sleep */
#define ISF_MPU6050_CONFIG 0x1Au     /* DLPF_CFG: 0x03 = ~44 Hz accelerometer bandwidth */
#define ISF_MPU6050_GYRO_CONFIG 0x1Bu
#define ISF_MPU6050_ACCEL_CONFIG 0x1Cu
#define ISF_MPU6050_ACCEL_XOUT_H 0x3Bu /* 14 bytes: ax ay az temp gx gy gz, big-endian int16 */
#define ISF_MPU6050_BURST_BYTES 14u
#define ISF_MPU6050_DLPF_44HZ 0x03u
/* Full-scale settings used here: +-2 g (16384 LSB/g), +-250 deg/s (131 LSB per deg/s). */
#define ISF_MPU6050_ACCEL_FS_2G 0x00u
#define ISF_MPU6050_GYRO_FS_250 0x00u
#define ISF_MPU6050_LSB_PER_G 16384L
#define ISF_MPU6050_LSB_PER_DPS 131L

typedef struct {
    int16_t acc[3];  /* raw counts */
    int16_t gyro[3]; /* raw counts */
} isf_imu_raw;

/* Micro-g per count and milli-deg/s per count, as exact fractions num/den. */
typedef struct {
    int32_t acc_ug_num, acc_ug_den;
    int32_t gyro_mdps_num, gyro_mdps_den;
} isf_imu_scale;

/* The scale of an MPU-6050 at +-2 g and +-250 deg/s. */
isf_imu_scale isf_mpu6050_scale(void);

/* Split a 14-byte burst read from ACCEL_XOUT_H into raw counts (the temperature is skipped). */
void isf_mpu6050_parse(const uint8_t burst[ISF_MPU6050_BURST_BYTES], isf_imu_raw *out);

/* Convert raw counts to the frame's units (micro-g, milli-deg/s), rounded to nearest. */
int32_t isf_scale_round(int32_t counts, int32_t num, int32_t den);

#ifdef __cplusplus
}
#endif

#endif /* ISOFORCE_IMU_H */
