/* Console on the PL011 at 0x09000000 (QEMU virt; the hypervisor provides the same). */
#ifndef UART_H
#define UART_H

#include <stdarg.h>

void uart_putc(char c);
void uart_puts(const char *s);

/* printf subset: %s %c %d %u %x with optional 'l', and %%. No widths. */
void vprintf(const char *fmt, va_list ap);
void printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
