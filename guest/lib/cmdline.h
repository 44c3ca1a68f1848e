/*
 * The kernel command line, as space-separated tokens. Under QEMU -kernel the
 * first token is the kernel's path, which the token matching simply skips.
 */
#ifndef GUEST_CMDLINE_H
#define GUEST_CMDLINE_H

#include "guest.h"

/* The whole command line, or "" if the loader gave none. */
const char *cmdline_get(void);

/* True if some token is exactly `word` (e.g. cmdline_has("native")). */
bool cmdline_has(const char *word);

/*
 * The value of the first token "key=value" (e.g. cmdline_value("mode")), or
 * NULL. The returned string lives in a static buffer that the next call
 * overwrites; values longer than 63 characters are truncated.
 */
const char *cmdline_value(const char *key);

#endif
