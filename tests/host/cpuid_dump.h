/*
 * Raw CPUID dumps of real CPUs (the .txt files in ../shared/cpuid, format in its README) as a fake
 * host CPUID source, and a synthetic CPU that has every bit the feature table names.
 */
#ifndef TESTS_HOST_CPUID_DUMP_H
#define TESTS_HOST_CPUID_DUMP_H

#include "hv/cpuid_policy.h"

#define CPUID_DUMP_DIR "../shared/cpuid"
#define CPUID_DUMP_MAX_ENTRIES 512

struct cpuid_dump {
	char name[128];
	size_t n;
	struct cpuid_indexed e[CPUID_DUMP_MAX_ENTRIES];
};

/* Parse one file; 0, or -1 with a reason in err. */
int cpuid_dump_load(struct cpuid_dump *d, const char *path, char *err, size_t errlen);
/* The value the dump recorded for (leaf, subleaf), all zero when it recorded none. */
struct cpuid_value cpuid_dump_get(const struct cpuid_dump *d, uint32_t leaf, uint32_t subleaf);
bool cpuid_dump_is_amd(const struct cpuid_dump *d);
/* Make d the source cpuid_dump_source answers from. */
void cpuid_dump_select(const struct cpuid_dump *d);
struct cpuid_value cpuid_dump_source(uint32_t leaf, uint32_t subleaf);
/* A CPU that has every bit set's entries name, an AMX/AVX-512/PKRU/APX XSAVE layout, and
 * the given vendor. */
void cpuid_dump_synthetic(struct cpuid_dump *d, const struct cpuid_feature_set *set, bool amd);

#endif
