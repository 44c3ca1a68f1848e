/* Building ACPI tables in host tests: a table's checksum byte makes its bytes sum to 0
 * (ACPI 6.5 5.2.5.3 for the RSDP, 5.2.6 for the other tables). */
#ifndef TESTS_HOST_ACPI_TEST_UTIL_H
#define TESTS_HOST_ACPI_TEST_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Set *field (inside p[0..n)) so that the n bytes at p sum to 0. */
static inline void fix_checksum(void *p, size_t n, uint8_t *field)
{
	uint8_t sum = 0;
	*field = 0;
	for (size_t i = 0; i < n; i++)
		sum += ((uint8_t *)p)[i];
	*field = (uint8_t)-sum;
}

#endif
