/* isoforce firmware command parser; see isoforce_cmd.h. */
#include "isoforce_cmd.h"

#define ISF_MILLI 1000L
#define ISF_MAX_MILLI_INT 2000000L /* integer part limit: keeps x1000 inside int32 */

static char lower(char c) { return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c; }

static int is_space(char c) { return c == ' ' || c == '\t'; }

/* Does the word at line (up to a space or the end) equal short_name or long_name? */
static int word_is(const char *word, unsigned len, const char *short_name, const char *long_name) {
    const char *names[2];
    unsigned n;
    names[0] = short_name;
    names[1] = long_name;
    for (n = 0; n < 2u; ++n) {
        unsigned i = 0;
        while (i < len && names[n][i] != '\0' && lower(word[i]) == names[n][i]) {
            ++i;
        }
        if (i == len && names[n][i] == '\0') {
            return 1;
        }
    }
    return 0;
}

int isf_parse_milli(const char *text, int32_t *out) {
    long whole = 0;
    long frac = 0;
    int frac_digits = 0;
    int negative = 0;
    int digits = 0;
    while (is_space(*text)) {
        ++text;
    }
    if (*text == '-' || *text == '+') {
        negative = (*text == '-');
        ++text;
    }
    while (*text >= '0' && *text <= '9') {
        whole = whole * 10L + (long)(*text - '0');
        if (whole > ISF_MAX_MILLI_INT) {
            return -1;
        }
        ++digits;
        ++text;
    }
    if (*text == '.') {
        ++text;
        while (*text >= '0' && *text <= '9') {
            if (frac_digits < 3) {
                frac = frac * 10L + (long)(*text - '0');
                ++frac_digits;
            }
            ++digits;
            ++text;
        }
    }
    while (is_space(*text)) {
        ++text;
    }
    if (digits == 0 || *text != '\0') {
        return -1;
    }
    while (frac_digits < 3) {
        frac *= 10L;
        ++frac_digits;
    }
    *out = (int32_t)((negative ? -1L : 1L) * (whole * ISF_MILLI + frac));
    return 0;
}

isf_cmd isf_parse_command(const char *line) {
    isf_cmd cmd;
    unsigned len = 0;
    const char *arg;
    cmd.kind = ISF_CMD_NONE;
    cmd.value = 0;
    while (is_space(*line)) {
        ++line;
    }
    if (*line == '\0') {
        return cmd;
    }
    while (line[len] != '\0' && !is_space(line[len])) {
        ++len;
    }
    arg = line + len;
    if (word_is(line, len, "s", "start")) {
        cmd.kind = ISF_CMD_START;
    } else if (word_is(line, len, "x", "stop")) {
        cmd.kind = ISF_CMD_STOP;
    } else if (word_is(line, len, "t", "tare")) {
        cmd.kind = ISF_CMD_TARE;
    } else if (word_is(line, len, "i", "info")) {
        cmd.kind = ISF_CMD_INFO;
    } else if (word_is(line, len, "?", "help") || word_is(line, len, "h", "help")) {
        cmd.kind = ISF_CMD_HELP;
    } else if (word_is(line, len, "r", "rate") || word_is(line, len, "c", "cal")) {
        int32_t milli;
        int is_rate = (lower(line[0]) == 'r');
        cmd.kind = is_rate ? ISF_CMD_RATE : ISF_CMD_CAL;
        if (isf_parse_milli(arg, &milli) != 0) {
            cmd.kind = ISF_CMD_BAD_VALUE;
        } else if (is_rate) {
            if (milli <= 0 || milli % ISF_MILLI != 0) {
                cmd.kind = ISF_CMD_BAD_VALUE;
            } else {
                cmd.value = milli / ISF_MILLI;
            }
        } else {
            cmd.value = milli;
        }
    } else {
        cmd.kind = ISF_CMD_UNKNOWN;
    }
    return cmd;
}
