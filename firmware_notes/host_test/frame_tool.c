/*
 * Host tool for the isoforce frame encoder (compiled with gcc by tests/firmware/).
 *
 *   frame_tool emit N SEED VECTORS   write N generated frames to stdout (binary) and the
 *                                    values they carry to the text file VECTORS
 *   frame_tool encode                read vector lines on stdin, write their frames to stdout
 *   frame_tool text "message"        write one text frame
 *   frame_tool check                 CRC check value and fixed-size checks; exit 0 if good
 *
 * A vector line is: seq t_us mask v0 v1 ... (decimal; one int32 per set bit of mask).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isoforce_frame.h"

static uint32_t rng_state;

static uint32_t next_random(void) { /* xorshift32: the same sequence on every platform */
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

static int32_t random_value(void) {
    switch (next_random() % 8u) {
    case 0: return INT32_MIN;
    case 1: return INT32_MAX;
    case 2: return (int32_t)(next_random() % 17u) - 8;
    case 3: return (int32_t)(next_random() & 0xFFFFFFu) - 0x800000; /* HX711 range */
    default: return (int32_t)next_random();
    }
}

static int emit(long count, uint32_t seed, const char *vectors_path) {
    FILE *vectors = fopen(vectors_path, "w");
    uint16_t seq;
    uint32_t t_us;
    long i;
    if (vectors == NULL) {
        perror(vectors_path);
        return 2;
    }
    rng_state = seed ? seed : 1u;
    seq = (uint16_t)(65500u + (next_random() % 30u)); /* wraps within the run */
    t_us = 0xFFFFFFFFu - 3000000u;                    /* so does the clock */
    for (i = 0; i < count; ++i) {
        uint8_t frame[ISF_MAX_FRAME_BYTES];
        int32_t values[ISF_MAX_CHANNELS];
        uint16_t mask = (uint16_t)(next_random() & 0xFFFFu);
        unsigned k = isf_channel_count(mask);
        unsigned j;
        size_t n;
        if (next_random() % 4u == 0u) {
            mask = 0x0001u; /* plenty of load-cell-only frames, as firmware sends them */
            k = 1;
        }
        for (j = 0; j < k; ++j) {
            values[j] = random_value();
        }
        n = isf_encode_samples(frame, sizeof frame, seq, t_us, mask, values);
        if (n != isf_frame_size(mask) || fwrite(frame, 1, n, stdout) != n) {
            return 3;
        }
        fprintf(vectors, "%u %lu %u", (unsigned)seq, (unsigned long)t_us, (unsigned)mask);
        for (j = 0; j < k; ++j) {
            fprintf(vectors, " %ld", (long)values[j]);
        }
        fputc('\n', vectors);
        seq = (uint16_t)(seq + 1u + (next_random() % 50u == 0u ? next_random() % 5u : 0u));
        t_us += 12500u + next_random() % 100u;
    }
    fclose(vectors);
    return 0;
}

static int encode(void) {
    char line[1024];
    while (fgets(line, sizeof line, stdin) != NULL) {
        uint8_t frame[ISF_MAX_FRAME_BYTES];
        int32_t values[ISF_MAX_CHANNELS];
        char *p = line;
        char *end;
        unsigned long seq = strtoul(p, &end, 10);
        unsigned long t_us;
        unsigned long mask;
        unsigned k;
        unsigned j;
        size_t n;
        if (end == p) {
            continue;
        }
        p = end;
        t_us = strtoul(p, &end, 10);
        p = end;
        mask = strtoul(p, &end, 10);
        p = end;
        k = isf_channel_count((uint16_t)mask);
        for (j = 0; j < k; ++j) {
            values[j] = (int32_t)strtol(p, &end, 10);
            p = end;
        }
        n = isf_encode_samples(frame, sizeof frame, (uint16_t)seq, (uint32_t)t_us, (uint16_t)mask,
                               values);
        if (n == 0 || fwrite(frame, 1, n, stdout) != n) {
            return 3;
        }
    }
    return 0;
}

static int check(void) {
    static const uint8_t digits[] = {'1', '2', '3', '4', '5', '6', '7', '8', '9'};
    uint8_t small[4];
    int32_t one = 1;
    int bad = 0;
    bad |= isf_crc16(digits, sizeof digits) != 0x29B1u;
    bad |= isf_frame_size(0x0001u) != 18u;
    bad |= isf_frame_size(0xFFFFu) != ISF_MAX_FRAME_BYTES;
    bad |= isf_encode_samples(small, sizeof small, 0, 0, 0x0001u, &one) != 0;
    printf("%s\n", bad ? "FAIL" : "ok");
    return bad;
}

int main(int argc, char **argv) {
    if (argc == 5 && strcmp(argv[1], "emit") == 0) {
        return emit(strtol(argv[2], NULL, 10), (uint32_t)strtoul(argv[3], NULL, 10), argv[4]);
    }
    if (argc == 2 && strcmp(argv[1], "encode") == 0) {
        return encode();
    }
    if (argc == 3 && strcmp(argv[1], "text") == 0) {
        uint8_t frame[ISF_HEADER_BYTES + ISF_MAX_TEXT_BYTES + ISF_CRC_BYTES];
        size_t n = isf_encode_text(frame, sizeof frame, argv[2]);
        return fwrite(frame, 1, n, stdout) == n ? 0 : 3;
    }
    if (argc == 2 && strcmp(argv[1], "check") == 0) {
        return check();
    }
    fprintf(stderr, "usage: frame_tool emit N SEED VECTORS | encode | text MSG | check\n");
    return 2;
}
