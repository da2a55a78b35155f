/* See check.h. */
#include <stdarg.h>
#include "check.h"
#include "psci.h"
#include "uart.h"

static int passed, failed;
static const char *note = "";

void check_set_note(const char *n)
{
    note = n;
}

void check(int ok, const char *what, const char *fmt, ...)
{
    va_list ap;

    printf("%s - %s%s (", ok ? "ok" : "FAIL", what, ok ? note : "");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf(")\n");
    if (ok)
        passed++;
    else
        failed++;
}

void check_skip(const char *fmt, ...)
{
    va_list ap;

    printf("ok - skip ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    passed++;
}

void finish(void)
{
    printf("%d passed, %d failed\n", passed, failed);
    system_off();
}
