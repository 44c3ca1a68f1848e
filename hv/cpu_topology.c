/*
 * SMT topology from CPUID (see cpu_topology.h). The APIC ID is a bit field:
 * thread within core in the low bits, then core, then package (SDM vol. 3A 8.9
 * "Identifying topological relationships"; AMD APM vol. 3 appendix E.4). The width
 * of the thread field is, in order of preference:
 *  - CPUID 0x1F or 0xB (Intel, and AMD from Zen 2): the sub-leaf whose level type,
 *    ECX[15:8], is 1 (SMT) gives it in EAX[4:0], "the number of bits to shift the
 *    x2APIC ID right to get the next level's ID". A leaf whose sub-leaf 0 has
 *    EBX = 0 means the CPU lacks that leaf (vol. 2A CPUID).
 *  - AMD CPUID 0x8000001E EBX[15:8], threads per core - 1 (with TopologyExtensions,
 *    0x80000001 ECX[22]).
 *  - Older CPUs: CPUID 1 EBX[23:16] logical processors per package (when EDX[28]
 *    HTT is set) divided by the cores per package (Intel leaf 4 EAX[31:26] + 1, AMD
 *    0x80000008 ECX[7:0] + 1), rounded up to a power of two.
 * The boot CPU's answer holds for the package: hybrid parts (Alder Lake) report the
 * same shift on their cores without SMT, whose IDs simply leave the field at 0.
 */
#include "hv/cpu_topology.h"
#include "hv/fmt.h"
#include "hv/lib.h"

#define LEVEL_TYPE_SMT 1

static unsigned ceil_log2(uint32_t n)
{
	unsigned b = 0;
	while (b < 32 && (1ull << b) < n)
		b++;
	return b;
}

/* Leaf 0x1F or 0xB: the SMT level's shift, 0 without one; -1 when the leaf is absent. */
static int extended_leaf_bits(cpuid_source_fn cpuid, uint32_t leaf)
{
	if (cpuid(0, 0).eax < leaf || !(cpuid(leaf, 0).ebx & 0xffff))
		return -1;
	for (uint32_t sub = 0; sub < 8; sub++) {
		struct cpuid_value r = cpuid(leaf, sub);
		uint32_t type = (r.ecx >> 8) & 0xff;
		if (!type)
			break; /* the first invalid level ends the list */
		if (type == LEVEL_TYPE_SMT)
			return (int)(r.eax & 0x1f);
	}
	return 0;
}

static bool is_amd(cpuid_source_fn cpuid)
{
	uint32_t ebx = cpuid(0, 0).ebx;
	return ebx == 0x68747541u /* "Auth" */ || ebx == 0x6f677948u /* "Hygo" */;
}

unsigned topo_smt_bits(cpuid_source_fn cpuid)
{
	int bits = extended_leaf_bits(cpuid, 0x1f);
	if (bits < 0)
		bits = extended_leaf_bits(cpuid, 0xb);
	if (bits >= 0)
		return (unsigned)bits;
	uint32_t ext_max = cpuid(0x80000000u, 0).eax;
	if (is_amd(cpuid) && ext_max >= 0x8000001eu && (cpuid(0x80000001u, 0).ecx & BIT(22)))
		return ceil_log2(((cpuid(0x8000001eu, 0).ebx >> 8) & 0xff) + 1);
	struct cpuid_value l1 = cpuid(1, 0);
	if (!(l1.edx & BIT(28)))
		return 0;
	uint32_t logical = (l1.ebx >> 16) & 0xff, cores = 1;
	if (is_amd(cpuid) && ext_max >= 0x80000008u)
		cores = (cpuid(0x80000008u, 0).ecx & 0xff) + 1;
	else if (!is_amd(cpuid) && cpuid(0, 0).eax >= 4)
		cores = (cpuid(4, 0).eax >> 26) + 1;
	return logical > cores ? ceil_log2((logical + cores - 1) / cores) : 0;
}

size_t topo_siblings_text(const uint32_t *apic_ids, uint32_t ncpus, unsigned smt_bits, char *buf,
			  size_t len)
{
	size_t n = 0;
	if (len)
		buf[0] = 0;
	for (uint32_t i = 0; i < ncpus; i++) {
		bool first = true, alone = true;
		for (uint32_t j = 0; j < ncpus; j++) {
			if (j == i || !topo_same_core(apic_ids[i], apic_ids[j], smt_bits))
				continue;
			alone = false;
			if (j < i)
				first = false;
		}
		if (alone || !first)
			continue; /* each core's group is printed once, from its lowest CPU */
		const char *sep = n ? " " : "";
		for (uint32_t j = i; j < ncpus; j++) {
			if (!topo_same_core(apic_ids[i], apic_ids[j], smt_bits))
				continue;
			if (n + 1 >= len)
				return n;
			int w = hv_snprintf(buf + n, len - n, "%s%u", sep, j);
			n += w > 0 ? MIN((size_t)w, len - n - 1) : 0;
			sep = "+";
		}
	}
	if (!n && len)
		n = MIN((size_t)hv_snprintf(buf, len, "none"), len - 1);
	return n;
}
