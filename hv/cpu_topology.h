/*
 * Which logical CPUs are threads of one core (SMT siblings), from CPUID and the
 * APIC IDs. Siblings share the L1D, the branch predictors and other core buffers
 * (L1TF, MDS, cross-thread Spectre), so two partitions must not sit on one core
 * unless the configuration says so ([hv] smt = shared, hv/config_place.c).
 * Pure logic: CPUID comes through a function, so host tests can feed real dumps.
 */
#ifndef HV_CPU_TOPOLOGY_H
#define HV_CPU_TOPOLOGY_H

#include "hv/cpuid_policy.h"
#include "hv/types.h"

/* The number of low APIC-ID bits that number the threads of one core (0: one thread per
 * core, or no SMT reported). */
unsigned topo_smt_bits(cpuid_source_fn cpuid);

/* Two APIC IDs are threads of one core when they agree above the SMT bits. */
static inline bool topo_same_core(uint32_t apic_a, uint32_t apic_b, unsigned smt_bits)
{
	return smt_bits < 32 ? (apic_a >> smt_bits) == (apic_b >> smt_bits) : true;
}

/* "0+1 2+3" (logical CPU indexes, one group per core that has more than one of the CPUs),
 * or "none". Returns the length written (truncated to len - 1). */
size_t topo_siblings_text(const uint32_t *apic_ids, uint32_t ncpus, unsigned smt_bits, char *buf,
			  size_t len);

#endif
