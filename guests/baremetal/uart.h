/* Console on the PL011 the device tree names (QEMU virt: 0x09000000; the hypervisor emulates it at the board's UART address). */
#ifndef UART_H
#define UART_H

#include <stdarg.h>

/* Takes the PL011's address from the device tree in x0 (start.S calls it before main). */
void uart_init(const void *dtb);
unsigned long uart_base(void);
void uart_putc(char c);
void uart_puts(const char *s);

/* printf subset: %s %c %d %u %x with optional 'l', and %%. No widths. */
void vprintf(const char *fmt, va_list ap);
void printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
