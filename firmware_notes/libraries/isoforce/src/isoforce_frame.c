/* isoforce frame encoder; see isoforce_frame.h and firmware_notes/frame-format.md. */
#include "isoforce_frame.h"

#define ISF_CRC_POLY 0x1021u
#define ISF_CRC_INIT 0xFFFFu

uint16_t isf_crc16(const uint8_t *data, size_t len) {
    uint16_t crc = ISF_CRC_INIT;
    size_t i;
    for (i = 0; i < len; ++i) {
        unsigned bit;
        crc ^= (uint16_t)((uint16_t)data[i] << 8);
        for (bit = 0; bit < 8u; ++bit) {
            crc = (crc & 0x8000u) ? (uint16_t)((crc << 1) ^ ISF_CRC_POLY) : (uint16_t)(crc << 1);
        }
    }
    return crc;
}

unsigned isf_channel_count(uint16_t mask) {
    unsigned n = 0;
    while (mask) {
        n += mask & 1u;
        mask = (uint16_t)(mask >> 1);
    }
    return n;
}

size_t isf_frame_size(uint16_t mask) {
    return ISF_HEADER_BYTES + ISF_FIXED_PAYLOAD_BYTES + ISF_VALUE_BYTES * isf_channel_count(mask) +
           ISF_CRC_BYTES;
}

static void put_u16(uint8_t *p, uint16_t v) {
    p[0] = (uint8_t)(v & 0xFFu);
    p[1] = (uint8_t)(v >> 8);
}

static void put_u32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v & 0xFFu);
    p[1] = (uint8_t)((v >> 8) & 0xFFu);
    p[2] = (uint8_t)((v >> 16) & 0xFFu);
    p[3] = (uint8_t)(v >> 24);
}

static size_t finish(uint8_t *out, uint8_t type, size_t payload) {
    uint16_t crc;
    out[0] = ISF_SYNC0;
    out[1] = ISF_SYNC1;
    out[2] = type;
    out[3] = (uint8_t)payload;
    crc = isf_crc16(out + 2, 2u + payload);
    put_u16(out + ISF_HEADER_BYTES + payload, crc);
    return ISF_HEADER_BYTES + payload + ISF_CRC_BYTES;
}

size_t isf_encode_samples(uint8_t *out, size_t cap, uint16_t seq, uint32_t t_us, uint16_t mask,
                          const int32_t *values) {
    unsigned k = isf_channel_count(mask);
    unsigned i;
    size_t payload = ISF_FIXED_PAYLOAD_BYTES + ISF_VALUE_BYTES * k;
    if (cap < isf_frame_size(mask)) {
        return 0;
    }
    put_u16(out + 4, seq);
    put_u32(out + 6, t_us);
    put_u16(out + 10, mask);
    for (i = 0; i < k; ++i) {
        put_u32(out + 12 + ISF_VALUE_BYTES * i, (uint32_t)values[i]);
    }
#if defined(ISF_FAULT_CRC_EVERY) && ISF_FAULT_CRC_EVERY > 0
    /* Fault injection, never in a normal build: the firmware-in-the-loop test builds with
     * -DISF_FAULT_CRC_EVERY=N to show that it fails when every N-th sample frame leaves with a
     * wrong checksum (firmware_notes/simavr.md). */
    if (seq % (uint16_t)ISF_FAULT_CRC_EVERY == 0u) {
        size_t n = finish(out, ISF_TYPE_SAMPLES, payload);
        out[n - 1u] ^= 0x01u;
        return n;
    }
#endif
    return finish(out, ISF_TYPE_SAMPLES, payload);
}

size_t isf_encode_text(uint8_t *out, size_t cap, const char *text) {
    size_t n = 0;
    while (text[n] != '\0' && n < ISF_MAX_TEXT_BYTES) {
        ++n;
    }
    if (cap < ISF_HEADER_BYTES + n + ISF_CRC_BYTES) {
        return 0;
    }
    {
        size_t i;
        for (i = 0; i < n; ++i) {
            out[ISF_HEADER_BYTES + i] = (uint8_t)text[i];
        }
    }
    return finish(out, ISF_TYPE_TEXT, n);
}
