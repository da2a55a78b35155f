#include "uart.h"
#include "fdt.h"

#define PL011_DR    0x00
#define PL011_FR    0x18
#define FR_TXFF     (1u << 5)   /* transmit FIFO full */

/* QEMU virt's PL011 until uart_init finds the one the device tree names (the board's UART address). */
static unsigned long pl011_base = 0x09000000UL;

void uart_init(const void *dtb)
{
    struct dt_info dt;
    if (fdt_parse(dtb, &dt) == 0 && dt.uart_base)
        pl011_base = dt.uart_base;
}

unsigned long uart_base(void)
{
    return pl011_base;
}

static volatile unsigned int *reg(unsigned long off)
{
    return (volatile unsigned int *)(pl011_base + off);
}

void uart_putc(char c)
{
    if (c == '\n')
        uart_putc('\r');
    while (*reg(PL011_FR) & FR_TXFF)
        ;
    *reg(PL011_DR) = (unsigned char)c;
}

void uart_puts(const char *s)
{
    while (*s)
        uart_putc(*s++);
}

static void put_unsigned(unsigned long v, unsigned base)
{
    char buf[24];
    int n = 0;

    do {
        unsigned d = v % base;
        buf[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
        v /= base;
    } while (v);
    while (n)
        uart_putc(buf[--n]);
}

void vprintf(const char *fmt, va_list ap)
{
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            uart_putc(*fmt);
            continue;
        }
        int is_long = 0;
        if (*++fmt == 'l') {
            is_long = 1;
            fmt++;
        }
        switch (*fmt) {
        case 's': uart_puts(va_arg(ap, const char *)); break;
        case 'c': uart_putc((char)va_arg(ap, int)); break;
        case 'd': {
            long v = is_long ? va_arg(ap, long) : va_arg(ap, int);
            if (v < 0) {
                uart_putc('-');
                put_unsigned(-(unsigned long)v, 10);
            } else {
                put_unsigned((unsigned long)v, 10);
            }
            break;
        }
        case 'u':
            put_unsigned(is_long ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 10);
            break;
        case 'x':
            put_unsigned(is_long ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 16);
            break;
        case '%': uart_putc('%'); break;
        case '\0': return;
        default: uart_putc('%'); uart_putc(*fmt); break;
        }
    }
}

void printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
}
