/* Shared by the hv.cfg tests: parse into one configuration, check error messages. */
#ifndef TESTS_HOST_CONFIG_TEST_UTIL_H
#define TESTS_HOST_CONFIG_TEST_UTIL_H

#include <stddef.h>
#include <string.h>
#include "hv/config.h"
#include "tests/host/harness.h"

/* What the last parse produced (static storage: the configuration is large). */
extern struct hv_config cfg;
extern char cfg_err[256];

/* Parses an exact-size heap copy of text[0..len), so ASan catches any read past len. */
int parse_n(const char *text, size_t len);
/* Parses a string; prints the message if it fails. */
int parse(const char *text);
/* The error of the first guest that has one (a mistake confined to it), or NULL. */
const char *first_guest_error(void);
/* True when parsing fails with "hv.cfg:LINE: " and then a message containing msg, or a
 * guest's own error (hv_guest_cfg.error) is that message. */
int fails_with(const char *text, int line, const char *msg);

#define CHECK_ERR(text, line, msg) CHECK(fails_with(text, line, msg))
#define CHECK_STR(a, b) CHECK(!strcmp((a), (b)))

/* A complete [guest] section: 4 lines. */
#define G(name, cpu) "[guest " name "]\ncpu = " cpu "\nmemory = 32M\nkernel = k.elf\n"

#endif
