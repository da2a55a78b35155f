/* The test guests' checks: each prints "ok - <what> (<details>)" or "FAIL - <what> (<details>)"
 * and is counted; finish() prints "N passed, N failed" and powers the VM off. */
#ifndef CHECK_H
#define CHECK_H

/* A word added after <what> on passing checks (the attack guest says " contained"). */
void check_set_note(const char *note);
void check(int ok, const char *what, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A check that does not apply here: "ok - skip <why>", counted as passed. */
void check_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void finish(void) __attribute__((noreturn));

#endif
