/*
 * The Linux end of a channel, in userspace, with the stock kernel's uio_pci_generic (no module of
 * ours): answers the control VM's samples (guests/channel/main.c, chan=producer) as the bare-metal
 * echo does, and prints what it measured. Built static with aarch64-linux-gnu-gcc by
 * guests/linux/build.sh; run by the initramfs's tests/channel script, after
 *
 *   echo "1af4 1110" > /sys/bus/pci/drivers/uio_pci_generic/new_id
 *
 * binds the driver to the channel's device. Usage: linux-peer /sys/class/uio/uioN
 *
 * How it waits, without polling: read() on /dev/uioN blocks until the device's INTx interrupt.
 * uio_pci_generic's handler masks INTx (PCI_COMMAND.INTX_DISABLE, through the hypervisor's emulated
 * config space) and wakes the reader; this program then reads IntrStatus (which acknowledges the
 * doorbell), takes every sample there is, answers, rings the producer, and unmasks INTx by
 * writing the command register through sysfs: a doorbell that came meanwhile interrupts at once.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ring.h"

/* The producer's protocol (guests/channel/main.c). */
#define RING_SLOTS      16
#define SAMPLE_WORDS    6       /* seq, flags, sent (2), the producer's last round trip in ticks (2) */
#define ANSWER_WORDS    6       /* seq, flags, sent (2), seen here (2) */
#define RING_B_OFFSET   0x1000
#define FLAG_LAST       1u
#define FLAG_STREAM     2u      /* taken, not answered */

/* BAR0 registers, as 32-bit word indices (src/stage2/channel.ts). */
#define REG_INTR_STATUS 1
#define REG_IV_POSITION 2
#define REG_DOORBELL    3
#define REG_PEERS       4
#define PCI_COMMAND     4
#define COMMAND_INTX_DISABLE 0x400

static uint64_t counter(void)
{
    uint64_t v;
    __asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
    return v;
}

static uint64_t ns(uint64_t ticks)
{
    uint64_t f;
    __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(f));
    return ticks * 1000000000ull / f;
}

static void die(const char *what, const char *path)
{
    fprintf(stderr, "linux-peer: %s %s failed\n", what, path);
    exit(1);
}

static volatile void *map(const char *dir, const char *name, size_t *size)
{
    char path[256];
    snprintf(path, sizeof path, "%s/device/%s", dir, name);
    int fd = open(path, O_RDWR | O_SYNC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0)
        die("open", path);
    void *p = mmap(0, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED)
        die("mmap", path);
    *size = (size_t)st.st_size;
    return p;
}

/* PCI_COMMAND.INTX_DISABLE cleared: the device may interrupt again. */
static void unmask(int config)
{
    uint16_t cmd;
    if (pread(config, &cmd, 2, PCI_COMMAND) != 2)
        die("read", "config");
    cmd &= ~COMMAND_INTX_DISABLE;
    if (pwrite(config, &cmd, 2, PCI_COMMAND) != 2)
        die("write", "config");
}

static uint64_t get64(const uint32_t *w) { return w[0] | (uint64_t)w[1] << 32; }

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: linux-peer /sys/class/uio/uioN\n");
        return 2;
    }
    const char *dir = argv[1];
    char path[256];
    snprintf(path, sizeof path, "/dev/%s", strrchr(dir, '/') + 1);
    int uio = open(path, O_RDONLY);
    if (uio < 0)
        die("open", path);
    snprintf(path, sizeof path, "%s/device/config", dir);
    int config = open(path, O_RDWR);
    if (config < 0)
        die("open", path);
    size_t regs_size, mem_size;
    volatile uint32_t *regs = map(dir, "resource0", &regs_size);
    volatile uint8_t *mem = map(dir, "resource2", &mem_size);
    printf("linux-peer: %s: peer %u of %u, %zu KiB shared\n", dir, regs[REG_IV_POSITION], regs[REG_PEERS], mem_size >> 10);

    struct chan_ring a, b;
    chan_ring_at(&a, mem, RING_SLOTS, SAMPLE_WORDS);
    chan_ring_at(&b, mem + RING_B_OFFSET, RING_SLOTS, ANSWER_WORDS);
    unmask(config);
    regs[REG_DOORBELL] = 0 << 16;           /* hello to peer 0, the producer */
    unsigned samples = 0, streamed = 0, wakeups = 0;
    uint64_t min = ~0ull, max = 0, sum = 0, rtt_min = ~0ull, rtt_max = 0, rtt_sum = 0;
    unsigned rtts = 0;
    int last = 0;
    while (!last) {
        uint32_t events;
        if (read(uio, &events, sizeof events) != sizeof events)
            die("read", "/dev/uio");
        wakeups++;
        (void)regs[REG_INTR_STATUS];        /* acknowledges the doorbell (read clears it) */
        uint32_t s[SAMPLE_WORDS];
        while (chan_ring_get(&a, s)) {
            last = last || (s[1] & FLAG_LAST);
            if (s[1] & FLAG_STREAM) {
                streamed++;
                continue;
            }
            uint64_t now = counter(), d = now - get64(s + 2), rtt = get64(s + 4);
            uint32_t ans[ANSWER_WORDS] = { s[0], s[1], s[2], s[3], (uint32_t)now, (uint32_t)(now >> 32) };
            if (!chan_ring_put(&b, ans))    /* never full: the producer waits for each answer */
                break;
            samples++;
            sum += d;
            min = d < min ? d : min;
            max = d > max ? d : max;
            if (rtt) {
                rtts++;
                rtt_sum += rtt;
                rtt_min = rtt < rtt_min ? rtt : rtt_min;
                rtt_max = rtt > rtt_max ? rtt : rtt_max;
            }
        }
        regs[REG_DOORBELL] = 0 << 16;
        unmask(config);
    }
    printf("linux-peer: %u samples answered, %u streamed, %u interrupts; producer to here min %llu avg %llu max %llu ns\n",
           samples, streamed, wakeups, (unsigned long long)ns(min), (unsigned long long)ns(sum / samples), (unsigned long long)ns(max));
    if (rtts)
        printf("linux-peer: round trip (producer -> here -> producer) min %llu avg %llu max %llu ns over %u samples\n",
               (unsigned long long)ns(rtt_min), (unsigned long long)ns(rtt_sum / rtts), (unsigned long long)ns(rtt_max), rtts);
    return 0;
}
