/*
 * Shared by the libFuzzer targets (tests/fuzz/fuzz_*.c, README "Fuzzing"): the entry
 * point's prototype and FUZZ_CHECK, which turns a broken property into a crash that
 * libFuzzer saves as a reproducer (a property, not only "no crash": every target
 * checks what its code promises).
 */
#ifndef TESTS_FUZZ_FUZZ_UTIL_H
#define TESTS_FUZZ_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                              \
	do {                                                                          \
		if (!(cond)) {                                                        \
			fprintf(stderr, "FUZZ_CHECK failed at %s:%d: %s\n", __FILE__, \
				__LINE__, #cond);                                     \
			abort();                                                      \
		}                                                                     \
	} while (0)

/* FUZZ_VERBOSE=1 in the environment: targets print what each input came to (to check that
 * a seed reaches the code it is meant for: FUZZ_VERBOSE=1 build/fuzz/fuzz_NAME SEED...). */
static inline int fuzz_verbose(void)
{
	static int v = -1;
	if (v < 0)
		v = getenv("FUZZ_VERBOSE") != NULL;
	return v;
}

/* An exact-size heap copy of data[0..size), so ASan catches any read past its end. */
static inline uint8_t *fuzz_copy(const uint8_t *data, size_t size)
{
	uint8_t *p = malloc(size ? size : 1);
	FUZZ_CHECK(p != NULL);
	if (size)
		memcpy(p, data, size);
	return p;
}

/* A message meant for the console: NUL-terminated inside buf[0..len), one line of
 * printable ASCII (hv_escape quotes everything else as \xNN). */
static inline int fuzz_printable_line(const char *buf, size_t len)
{
	size_t n = 0;
	while (n < len && buf[n])
		n++;
	if (n == len)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)buf[i] < 0x20 || (unsigned char)buf[i] >= 0x7f)
			return 0;
	return 1;
}

#endif
