/*
 * isoforce frame encoder: portable C99, no allocation, no platform headers beyond <stdint.h>.
 *
 * Byte layout (firmware_notes/frame-format.md; the Python decoder is
 * src/isoforce/devices/isoforce_frame.py). All multi-byte fields little-endian:
 *
 *   0  2    sync 0xA5 0x5A
 *   2  1    frame type: 0x01 samples (v1), 0x02 text
 *   3  1    payload length L
 *   4  L    samples: seq u16, time u32 (us), channel mask u16, one int32 per set bit
 *           text:    L bytes of UTF-8 (L <= 64)
 *   4+L 2   CRC-16/CCITT-FALSE over bytes 2 .. 4+L-1
 */
#ifndef ISOFORCE_FRAME_H
#define ISOFORCE_FRAME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ISF_SYNC0 0xA5u
#define ISF_SYNC1 0x5Au
#define ISF_TYPE_SAMPLES 0x01u
#define ISF_TYPE_TEXT 0x02u
#define ISF_HEADER_BYTES 4u
#define ISF_FIXED_PAYLOAD_BYTES 8u
#define ISF_VALUE_BYTES 4u
#define ISF_CRC_BYTES 2u
#define ISF_MAX_CHANNELS 16u
#define ISF_MAX_TEXT_BYTES 64u
#define ISF_MAX_FRAME_BYTES \
    (ISF_HEADER_BYTES + ISF_FIXED_PAYLOAD_BYTES + ISF_VALUE_BYTES * ISF_MAX_CHANNELS + ISF_CRC_BYTES)

/* Channel bits and the value of one int32 step (frame-format.md, "Channels"). */
#define ISF_CH_LOAD_RAW 0u  /* 1 ADC count */
#define ISF_CH_ACC_X 1u     /* 1 micro-g */
#define ISF_CH_ACC_Y 2u
#define ISF_CH_ACC_Z 3u
#define ISF_CH_GYRO_X 4u    /* 0.001 deg/s */
#define ISF_CH_GYRO_Y 5u
#define ISF_CH_GYRO_Z 6u
#define ISF_CH_FORCE_N 7u   /* 0.001 N */

/* CRC-16/CCITT-FALSE: poly 0x1021, init 0xFFFF, no reflection, no final XOR (check 0x29B1). */
uint16_t isf_crc16(const uint8_t *data, size_t len);

/* Number of channels in a mask, and the size in bytes of a sample frame with that mask. */
unsigned isf_channel_count(uint16_t mask);
size_t isf_frame_size(uint16_t mask);

/*
 * Encode one sample frame into out (capacity cap). values holds one int32 per set bit of mask,
 * in ascending bit order. Returns the frame length, or 0 if cap is too small.
 */
size_t isf_encode_samples(uint8_t *out, size_t cap, uint16_t seq, uint32_t t_us, uint16_t mask,
                          const int32_t *values);

/* Encode a text frame (command replies, warnings); text is cut to ISF_MAX_TEXT_BYTES. */
size_t isf_encode_text(uint8_t *out, size_t cap, const char *text);

#ifdef __cplusplus
}
#endif

#endif /* ISOFORCE_FRAME_H */
