/*
 * Firmware in the loop: run an AVR firmware image in simavr with a simulated HX711 load-cell
 * ADC on two of its pins and its UART on a pseudo-terminal.
 *
 *   hx711_sim --elf sketch.elf --wave counts.txt [--seconds S] [--reads reads.txt]
 *             [--stats stats.json] [--realtime] [--link PATH] [--dout D2] [--sck D3]
 *             [--mcu atmega328p] [--freq 16000000] [--sps 80]
 *
 * Prints "pty /dev/pts/N" on standard output once the pty exists, then runs until the
 * firmware stops, --seconds of simulated time have passed, or SIGINT/SIGTERM. The statistics
 * (simulated and wall-clock seconds, conversions, reads, clock pulses per read, power-downs,
 * whether the end cut a read short, UART bytes) go to --stats as JSON at the end; --reads logs
 * one line per read the firmware finished:
 * "<conversion index> <value sent> <clock pulses> <simulated time of its first pulse, us>".
 *
 * The HX711 model (Avia Semiconductor HX711 datasheet: "Serial Interface", Fig. 2 and its
 * timing table; firmware_notes/simavr.md):
 *   - a conversion completes every 1/sps s (80 SPS: 12.5 ms = 200,000 cycles at 16 MHz); its
 *     value is the next line of the waveform file (24-bit two's complement counts at channel A
 *     gain 128; the last line is held after the end). DOUT goes low: data ready;
 *   - each rising edge of PD_SCK shifts out one bit, MSB first (the datasheet's T2: DOUT is
 *     valid at most 0.1 us after the rising edge, so the bit is set at the edge);
 *   - the 25th rising edge pulls DOUT high; 25, 26 or 27 pulses in all select the next
 *     conversion's input: channel A gain 128, channel B gain 32, channel A gain 64. Channel A
 *     gain 64 reads half the counts; channel B is not modelled and reads 0;
 *   - PD_SCK high for more than 60 us powers the chip down (DOUT high, no conversions); the
 *     falling edge powers it up again at channel A gain 128, its data valid after the settling
 *     time (4 conversion periods: 50 ms at 80 SPS);
 *   - a conversion that completes while a read is in progress is lost (counted), and one that
 *     is never read before the next completes is overwritten (counted).
 *
 * Build: gcc -O2 -I/usr/include/simavr hx711_sim.c -lsimavr -o hx711_sim
 * (Debian packages simavr, libsimavr-dev; firmware_notes/simavr_run.py builds and runs it).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "avr_ioport.h"
#include "avr_uart.h"
#include "sim_avr.h"
#include "sim_cycle_timers.h"
#include "sim_elf.h"
#include "sim_io.h"
#include "sim_irq.h"
#include "sim_time.h"

#define HX_BITS 24
#define HX_MAX_PULSES 27
#define HX_MIN_PULSES 25
#define HX_POWER_DOWN_US 60u
#define HX_SETTLE_CONVERSIONS 4u
#define HX_MAX_COUNT 0x7FFFFF
#define HX_MIN_COUNT (-0x800000)
#define POLL_US 1000u
#define OUT_CAP 65536u

typedef struct {
    avr_t *avr;
    avr_irq_t *dout;
    int32_t *wave;
    size_t wave_n;
    avr_cycle_count_t period;
    /* state */
    int sck;
    int ready;           /* a conversion waits to be read (DOUT low) */
    int powered_down;
    unsigned settle;     /* conversions to skip after power-up */
    uint64_t next_index; /* waveform index of the next conversion */
    uint64_t data_index; /* index of the conversion being read */
    uint32_t data;       /* 24-bit word being shifted out */
    int pulses;          /* rising edges since the data became ready */
    int gain_pulses;     /* 1: A128, 2: B32, 3: A64 (for the next conversion) */
    avr_cycle_count_t first_edge;
    /* statistics */
    uint64_t conversions, reads, overwritten, lost_in_read, power_downs, stray_pulses;
    uint64_t cut_by_stop; /* a read still shifting out when the simulation ended (0 or 1) */
    uint64_t pulse_hist[HX_MAX_PULSES + 2]; /* [n] reads with n pulses; last: more than 27 */
    FILE *reads_log;
} hx711_t;

typedef struct {
    avr_t *avr;
    int master, slave;
    avr_irq_t *input;
    int xoff;
    uint8_t out[OUT_CAP];
    size_t out_n;
    uint8_t in[256];
    size_t in_n, in_pos;
    uint64_t bytes_out, bytes_dropped, bytes_in;
    int realtime;
    struct timespec start;
} bridge_t;

static volatile sig_atomic_t stop_requested = 0;

static void on_signal(int sig) {
    (void)sig;
    stop_requested = 1;
}

static void die(const char *what) {
    fprintf(stderr, "hx711_sim: %s\n", what);
    exit(2);
}

static double wall_s(const struct timespec *since) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - since->tv_sec) + 1e-9 * (double)(now.tv_nsec - since->tv_nsec);
}

/* ---- the waveform ------------------------------------------------------------------------ */

static void load_wave(hx711_t *hx, const char *path) {
    FILE *f = fopen(path, "r");
    char line[128];
    size_t cap = 4096;
    if (f == NULL) {
        die("cannot open the waveform file");
    }
    hx->wave = malloc(cap * sizeof *hx->wave);
    hx->wave_n = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        char *end;
        long v;
        if (line[0] == '#' || line[0] == '\n') {
            continue;
        }
        v = strtol(line, &end, 10);
        if (end == line) {
            die("waveform: one integer (counts) per line expected");
        }
        if (v > HX_MAX_COUNT) {
            v = HX_MAX_COUNT; /* the HX711 saturates at 7FFFFFh / 800000h */
        }
        if (v < HX_MIN_COUNT) {
            v = HX_MIN_COUNT;
        }
        if (hx->wave_n == cap) {
            cap *= 2;
            hx->wave = realloc(hx->wave, cap * sizeof *hx->wave);
        }
        hx->wave[hx->wave_n++] = (int32_t)v;
    }
    fclose(f);
    if (hx->wave_n == 0) {
        die("waveform file is empty");
    }
}

static int32_t wave_at(const hx711_t *hx, uint64_t k) {
    return hx->wave[k < hx->wave_n ? k : hx->wave_n - 1];
}

/* ---- the HX711 ----------------------------------------------------------------------------- */

static void set_dout(hx711_t *hx, int level) { avr_raise_irq(hx->dout, level ? 1 : 0); }

/* The read that began at the last conversion is over: count its pulses, log it. */
static void close_read(hx711_t *hx) {
    int n = hx->pulses;
    if (n == 0) {
        return;
    }
    hx->reads++;
    hx->pulse_hist[n <= HX_MAX_PULSES ? n : HX_MAX_PULSES + 1]++;
    hx->gain_pulses = (n >= HX_MIN_PULSES && n <= HX_MAX_PULSES) ? n - HX_BITS : 1;
    if (hx->reads_log != NULL) {
        int32_t value = (hx->data & 0x800000u) ? (int32_t)hx->data - 0x1000000 : (int32_t)hx->data;
        fprintf(hx->reads_log, "%llu %ld %d %llu\n", (unsigned long long)hx->data_index,
                (long)value, n,
                (unsigned long long)avr_cycles_to_usec(hx->avr, hx->first_edge));
    }
    hx->pulses = 0;
}

static avr_cycle_count_t on_conversion(avr_t *avr, avr_cycle_count_t when, void *param) {
    hx711_t *hx = param;
    uint64_t k = hx->next_index++;
    int32_t value;
    (void)avr;
    (void)when;
    if (hx->powered_down) {
        return when + hx->period;
    }
    if (hx->settle > 0) {
        hx->settle--;
        return when + hx->period;
    }
    hx->conversions++;
    if (hx->pulses > 0 && hx->pulses < HX_MIN_PULSES) {
        hx->lost_in_read++; /* the data register is busy shifting out: this conversion is lost */
        return when + hx->period;
    }
    close_read(hx);
    if (hx->ready) {
        hx->overwritten++; /* the previous conversion was never read */
    }
    value = wave_at(hx, k);
    if (hx->gain_pulses == 3) {
        value /= 2; /* channel A, gain 64 */
    } else if (hx->gain_pulses == 2) {
        value = 0; /* channel B: not modelled */
    }
    hx->data = (uint32_t)value & 0xFFFFFFu;
    hx->data_index = k;
    hx->ready = 1;
    set_dout(hx, 0);
    return when + hx->period;
}

static avr_cycle_count_t on_power_down(avr_t *avr, avr_cycle_count_t when, void *param) {
    hx711_t *hx = param;
    (void)avr;
    (void)when;
    if (hx->sck && !hx->powered_down) {
        hx->powered_down = 1;
        hx->power_downs++;
        close_read(hx);
        hx->ready = 0;
        set_dout(hx, 1);
    }
    return 0;
}

static void on_sck(struct avr_irq_t *irq, uint32_t value, void *param) {
    hx711_t *hx = param;
    int level = (int)(value & 1u);
    (void)irq;
    if (level == hx->sck) {
        return;
    }
    hx->sck = level;
    if (level) {
        avr_cycle_timer_register_usec(hx->avr, HX_POWER_DOWN_US, on_power_down, hx);
        if (hx->powered_down) {
            return;
        }
        if (!hx->ready && hx->pulses == 0) {
            hx->stray_pulses++;
            return;
        }
        if (hx->pulses == 0) {
            hx->first_edge = hx->avr->cycle;
        }
        hx->pulses++;
        if (hx->pulses <= HX_BITS) {
            set_dout(hx, (int)((hx->data >> (HX_BITS - hx->pulses)) & 1u));
        } else if (hx->pulses == HX_MIN_PULSES) {
            hx->ready = 0;
            set_dout(hx, 1);
        }
        return;
    }
    avr_cycle_timer_cancel(hx->avr, on_power_down, hx);
    if (hx->powered_down) {
        hx->powered_down = 0; /* reset: channel A gain 128, valid data after settling */
        hx->gain_pulses = 1;
        hx->settle = HX_SETTLE_CONVERSIONS;
    }
}

/* ---- the UART <-> pty bridge --------------------------------------------------------------- */

static void open_pty(bridge_t *b, const char *link) {
    struct termios tio;
    const char *name;
    b->master = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK);
    if (b->master < 0 || grantpt(b->master) != 0 || unlockpt(b->master) != 0) {
        die("cannot create a pseudo-terminal");
    }
    name = ptsname(b->master);
    /* Keep the slave side open: the pty then survives a host closing and reopening it. */
    b->slave = open(name, O_RDWR | O_NOCTTY);
    if (b->slave < 0 || tcgetattr(b->slave, &tio) != 0) {
        die("cannot open the pseudo-terminal's slave side");
    }
    cfmakeraw(&tio); /* no echo, no line editing, no CR/LF translation: bytes as they are */
    tcsetattr(b->slave, TCSANOW, &tio);
    if (link != NULL) {
        unlink(link);
        if (symlink(name, link) != 0) {
            die("cannot create the --link symlink");
        }
    }
    printf("pty %s\n", name);
    fflush(stdout);
}

static void flush_out(bridge_t *b) {
    size_t done = 0;
    while (done < b->out_n) {
        ssize_t w = write(b->master, b->out + done, b->out_n - done);
        if (w > 0) {
            done += (size_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR) {
            continue;
        }
        /* EAGAIN: nobody reads the pty and its buffer is full; the bytes are lost, as on a
         * serial line without a listener. */
        b->bytes_dropped += b->out_n - done;
        break;
    }
    b->out_n = 0;
}

static void on_uart_out(struct avr_irq_t *irq, uint32_t value, void *param) {
    bridge_t *b = param;
    (void)irq;
    if (b->out_n == OUT_CAP) {
        flush_out(b);
    }
    b->out[b->out_n++] = (uint8_t)value;
    b->bytes_out++;
}

static void push_input(bridge_t *b) {
    while (!b->xoff && b->in_pos < b->in_n) {
        avr_raise_irq(b->input, b->in[b->in_pos++]);
    }
}

static void on_xon(struct avr_irq_t *irq, uint32_t value, void *param) {
    bridge_t *b = param;
    (void)irq;
    (void)value;
    b->xoff = 0;
    push_input(b);
}

static void on_xoff(struct avr_irq_t *irq, uint32_t value, void *param) {
    bridge_t *b = param;
    (void)irq;
    (void)value;
    b->xoff = 1;
}

static avr_cycle_count_t on_poll(avr_t *avr, avr_cycle_count_t when, void *param) {
    bridge_t *b = param;
    flush_out(b);
    if (b->in_pos == b->in_n) {
        ssize_t r = read(b->master, b->in, sizeof b->in);
        b->in_pos = 0;
        b->in_n = r > 0 ? (size_t)r : 0;
        b->bytes_in += b->in_n;
    }
    push_input(b);
    if (b->realtime) {
        double ahead = (double)avr->cycle / (double)avr->frequency - wall_s(&b->start);
        if (ahead > 0.002) {
            struct timespec pause = {0, (long)(ahead * 1e9)};
            nanosleep(&pause, NULL);
        }
    }
    return when + avr_usec_to_cycles(avr, POLL_US);
}

static void no_sleep(avr_t *avr, avr_cycle_count_t how_long) {
    (void)avr;
    (void)how_long; /* simulated time only: never sleep for real */
}

/* ---- main ---------------------------------------------------------------------------------- */

static avr_irq_t *pin_irq(avr_t *avr, const char *pin) {
    avr_irq_t *irq;
    if (strlen(pin) != 2 || pin[0] < 'A' || pin[0] > 'L' || pin[1] < '0' || pin[1] > '7') {
        die("pins are given as port letter and bit, e.g. D2");
    }
    irq = avr_io_getirq(avr, AVR_IOCTL_IOPORT_GETIRQ(pin[0]), pin[1] - '0');
    if (irq == NULL) {
        die("no such pin on this MCU");
    }
    return irq;
}

static void write_stats(const char *path, const hx711_t *hx, const bridge_t *b, double wall) {
    FILE *f = path != NULL ? fopen(path, "w") : stderr;
    double sim = (double)hx->avr->cycle / (double)hx->avr->frequency;
    int n, first;
    if (f == NULL) {
        die("cannot write --stats");
    }
    fprintf(f,
            "{\"sim_s\": %.6f, \"wall_s\": %.3f, \"speed\": %.3f, \"conversions\": %llu, "
            "\"reads\": %llu, \"overwritten\": %llu, \"lost_in_read\": %llu, "
            "\"power_downs\": %llu, \"stray_pulses\": %llu, \"cut_by_stop\": %llu, "
            "\"pulses\": {",
            sim, wall, wall > 0 ? sim / wall : 0.0, (unsigned long long)hx->conversions,
            (unsigned long long)hx->reads, (unsigned long long)hx->overwritten,
            (unsigned long long)hx->lost_in_read, (unsigned long long)hx->power_downs,
            (unsigned long long)hx->stray_pulses, (unsigned long long)hx->cut_by_stop);
    for (n = 1, first = 1; n <= HX_MAX_PULSES + 1; ++n) {
        if (hx->pulse_hist[n] == 0) {
            continue;
        }
        fprintf(f, "%s\"%s%d\": %llu", first ? "" : ", ", n > HX_MAX_PULSES ? ">" : "",
                n > HX_MAX_PULSES ? HX_MAX_PULSES : n, (unsigned long long)hx->pulse_hist[n]);
        first = 0;
    }
    fprintf(f, "}, \"uart_bytes_out\": %llu, \"uart_bytes_dropped\": %llu, \"uart_bytes_in\": %llu}\n",
            (unsigned long long)b->bytes_out, (unsigned long long)b->bytes_dropped,
            (unsigned long long)b->bytes_in);
    if (f != stderr) {
        fclose(f);
    }
}

int main(int argc, char **argv) {
    const char *elf = NULL, *wave = NULL, *reads = NULL, *stats = NULL, *link = NULL;
    const char *dout = "D2", *sck = "D3", *mcu = "atmega328p";
    double seconds = 0.0;
    unsigned long freq = 16000000ul, sps = 80ul;
    int realtime = 0;
    int i;
    elf_firmware_t fw;
    avr_t *avr;
    static hx711_t hx;
    static bridge_t bridge;
    uint32_t flags = 0;
    avr_cycle_count_t end_cycle = 0;
    struct sigaction sa;

    for (i = 1; i < argc; ++i) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--realtime") == 0) {
            realtime = 1;
            continue;
        }
        if (v == NULL) {
            die("every option but --realtime takes a value");
        }
        ++i;
        if (strcmp(a, "--elf") == 0) elf = v;
        else if (strcmp(a, "--wave") == 0) wave = v;
        else if (strcmp(a, "--reads") == 0) reads = v;
        else if (strcmp(a, "--stats") == 0) stats = v;
        else if (strcmp(a, "--link") == 0) link = v;
        else if (strcmp(a, "--dout") == 0) dout = v;
        else if (strcmp(a, "--sck") == 0) sck = v;
        else if (strcmp(a, "--mcu") == 0) mcu = v;
        else if (strcmp(a, "--seconds") == 0) seconds = atof(v);
        else if (strcmp(a, "--freq") == 0) freq = strtoul(v, NULL, 10);
        else if (strcmp(a, "--sps") == 0) sps = strtoul(v, NULL, 10);
        else die("unknown option (see the comment at the top of hx711_sim.c)");
    }
    if (elf == NULL || wave == NULL || freq == 0 || sps == 0) {
        die("usage: hx711_sim --elf FILE --wave FILE [options]");
    }

    memset(&fw, 0, sizeof fw);
    if (elf_read_firmware(elf, &fw) != 0) {
        die("cannot read the ELF file");
    }
    snprintf(fw.mmcu, sizeof fw.mmcu, "%s", mcu);
    fw.frequency = (uint32_t)freq;
    avr = avr_make_mcu_by_name(fw.mmcu);
    if (avr == NULL) {
        die("unknown MCU");
    }
    avr_init(avr);
    avr_load_firmware(avr, &fw);
    avr->sleep = no_sleep;
    avr->log = LOG_ERROR;

    hx.avr = avr;
    hx.dout = pin_irq(avr, dout);
    hx.period = (avr_cycle_count_t)(freq / sps);
    hx.gain_pulses = 1;
    hx.reads_log = reads != NULL ? fopen(reads, "w") : NULL;
    if (reads != NULL && hx.reads_log == NULL) {
        die("cannot write --reads");
    }
    load_wave(&hx, wave);
    set_dout(&hx, 1); /* no conversion yet */
    avr_irq_register_notify(pin_irq(avr, sck), on_sck, &hx);
    avr_cycle_timer_register(avr, hx.period, on_conversion, &hx);

    bridge.avr = avr;
    bridge.realtime = realtime;
    avr_ioctl(avr, AVR_IOCTL_UART_GET_FLAGS('0'), &flags);
    flags &= ~(uint32_t)(AVR_UART_FLAG_STDIO | AVR_UART_FLAG_POLL_SLEEP);
    avr_ioctl(avr, AVR_IOCTL_UART_SET_FLAGS('0'), &flags);
    bridge.input = avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_INPUT);
    avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUTPUT),
                            on_uart_out, &bridge);
    avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUT_XON),
                            on_xon, &bridge);
    avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUT_XOFF),
                            on_xoff, &bridge);
    open_pty(&bridge, link);
    avr_cycle_timer_register_usec(avr, POLL_US, on_poll, &bridge);

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (seconds > 0) {
        end_cycle = (avr_cycle_count_t)(seconds * (double)freq);
    }
    clock_gettime(CLOCK_MONOTONIC, &bridge.start);
    while (!stop_requested) {
        int state = avr_run(avr);
        if (state == cpu_Done || state == cpu_Crashed) {
            fprintf(stderr, "hx711_sim: the firmware %s\n", state == cpu_Done ? "stopped" : "crashed");
            break;
        }
        if (end_cycle && avr->cycle >= end_cycle) {
            break;
        }
    }
    flush_out(&bridge);
    if (hx.pulses > 0 && hx.pulses < HX_MIN_PULSES) {
        /* the stop came in the middle of a read: the firmware did not finish it, so it is not
         * one of its reads (nor logged), only counted */
        hx.cut_by_stop = 1;
        hx.pulses = 0;
    }
    close_read(&hx);
    if (hx.reads_log != NULL) {
        fclose(hx.reads_log);
    }
    write_stats(stats, &hx, &bridge, wall_s(&bridge.start));
    if (link != NULL) {
        unlink(link);
    }
    return 0;
}
