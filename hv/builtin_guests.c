/* Lookup of the embedded guest images and the built-in default configuration. */
#include "hv/builtin_guests.h"
#include "hv/lib.h"

extern const uint8_t builtin_selftest[], builtin_selftest_end[];
extern const uint8_t builtin_misbehave[], builtin_misbehave_end[];
extern const uint8_t builtin_bench[], builtin_bench_end[];

const char builtin_default_config[] = "# built-in default: the self-test guest on every CPU\n"
				      "[guest selftest]\n"
				      "cpu = all\n"
				      "memory = 32M\n"
				      "kernel = builtin:selftest\n";

int builtin_guest_find(const char *name, const void **data, size_t *size)
{
	static const struct {
		const char *name;
		const uint8_t *start, *end;
	} table[] = {
		{ "selftest", builtin_selftest, builtin_selftest_end },
		{ "misbehave", builtin_misbehave, builtin_misbehave_end },
		{ "bench", builtin_bench, builtin_bench_end },
	};
	for (size_t i = 0; i < ARRAY_SIZE(table); i++) {
		if (!strcmp(name, table[i].name)) {
			*data = table[i].start;
			*size = (size_t)(table[i].end - table[i].start);
			return 0;
		}
	}
	return -1;
}
