/*
 * isoforce firmware commands: one ASCII line each, ended by '\n' or '\r', case-insensitive.
 *
 *   s | start          start streaming sample frames (the default after power-up)
 *   x | stop           stop streaming (the ADC keeps running; tare still works)
 *   t | tare           zero for the on-device force channel: mean of the next 16 readings
 *   r <hz> | rate <hz> output rate; must divide the ADC rate (80 SPS: 80 40 20 16 10 8 5 4 2 1)
 *   c <n> | cal <n>    counts per newton for the on-device force channel (0 = off)
 *   i | info           firmware version, rates, channels
 *   ? | h | help       the command list
 *
 * Replies come back as text frames (type 0x02) in the same byte stream.
 */
#ifndef ISOFORCE_CMD_H
#define ISOFORCE_CMD_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    ISF_CMD_NONE = 0,  /* empty line */
    ISF_CMD_START,
    ISF_CMD_STOP,
    ISF_CMD_TARE,
    ISF_CMD_RATE,      /* value: Hz */
    ISF_CMD_CAL,       /* value: counts per newton x 1000 */
    ISF_CMD_INFO,
    ISF_CMD_HELP,
    ISF_CMD_UNKNOWN,
    ISF_CMD_BAD_VALUE
} isf_cmd_kind;

typedef struct {
    isf_cmd_kind kind;
    int32_t value;
} isf_cmd;

/* Parse one command line (without its line end). */
isf_cmd isf_parse_command(const char *line);

/* Parse a decimal number with up to 3 decimals into thousandths; 0 on success, -1 if bad. */
int isf_parse_milli(const char *text, int32_t *out);

#ifdef __cplusplus
}
#endif

#endif /* ISOFORCE_CMD_H */
