/*
 * The bench guest's own consistency checks (main.c, apic_bench.c): a figure that is
 * missing or contradicts another fails the guest instead of printing a number nobody
 * checks. Each failure is one line "bench: FAIL what"; the last line is the tally.
 */
#include <stdarg.h>
#include "bench.h"
#include "printf.h"

static unsigned checks_run, checks_failed;

void bench_check(bool ok, const char *fmt, ...)
{
	checks_run++;
	if (ok)
		return;
	checks_failed++;
	va_list ap;
	va_start(ap, fmt);
	printf("bench: FAIL ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
}

uint32_t bench_checks_result(void)
{
	if (checks_failed) {
		printf("bench: checks: %u of %u failed\n", checks_failed, checks_run);
		return EXIT_FAIL;
	}
	printf("bench: checks: all %u passed\n", checks_run);
	return EXIT_PASS;
}

uint32_t median(uint32_t *v, unsigned n)
{
	for (unsigned i = 1; i < n; i++) /* insertion sort: n is SAMPLES */
		for (unsigned j = i; j > 0 && v[j - 1] > v[j]; j--) {
			uint32_t x = v[j];
			v[j] = v[j - 1];
			v[j - 1] = x;
		}
	return v[n / 2];
}
