/*
 * The CPUID values a guest sees: computed once when the guest is created from
 * the host's CPUID and the guest's configuration, then looked up on every
 * CPUID exit without executing CPUID again.
 */
#ifndef HV_CPUID_POLICY_H
#define HV_CPUID_POLICY_H

#include "hv/types.h"

#define CPUID_BASIC_MAX 0x20      /* leaves 0x0..0x1f kept */
#define CPUID_EXT_MAX 0x22        /* leaves 0x80000000..0x80000021 kept */
#define CPUID_INDEXED_MAX 96      /* (leaf, subleaf) entries for subleaf-indexed leaves */
#define CPUID_HV_BASE 0x40000000u
#define CPUID_HV_SIGNATURE "HvTypeOneX86" /* 12 bytes in EBX, ECX, EDX */

struct cpuid_value {
	uint32_t eax, ebx, ecx, edx;
};

struct cpuid_indexed {
	uint32_t leaf, subleaf;
	struct cpuid_value v;
};

struct cpuid_table {
	uint32_t max_basic, max_ext;
	uint32_t indexed_leaves; /* bit n: basic leaf n is subleaf-indexed */
	uint32_t nindexed;
	struct cpuid_value basic[CPUID_BASIC_MAX];
	struct cpuid_value ext[CPUID_EXT_MAX];
	struct cpuid_value hv[2];
	struct cpuid_indexed indexed[CPUID_INDEXED_MAX];
};

/* Where host values come from: CPUID itself on hv.efi, a synthetic table in tests. */
typedef struct cpuid_value (*cpuid_source_fn)(uint32_t leaf, uint32_t subleaf);

struct cpuid_guest_info {
	uint32_t cpu;        /* physical CPU index, reported in 0x40000001 EBX */
	uint64_t mem_bytes;  /* reported in MiB in 0x40000001 ECX */
};

void cpuid_table_build(struct cpuid_table *t, cpuid_source_fn host, const struct cpuid_guest_info *g);
/* The guest's view of (leaf, subleaf); dynamic bits (OSXSAVE) are applied by the caller. */
struct cpuid_value cpuid_lookup(const struct cpuid_table *t, uint32_t leaf, uint32_t subleaf);

/* Bits the policy changes (Intel SDM vol. 2A CPUID; AMD APM vol. 3 appendix E). */
#define CPUID_1_ECX_MONITOR BIT(3)
#define CPUID_1_ECX_VMX BIT(5)
#define CPUID_1_ECX_SMX BIT(6)
#define CPUID_1_ECX_PDCM BIT(15)
#define CPUID_1_ECX_X2APIC BIT(21)
#define CPUID_1_ECX_TSC_DEADLINE BIT(24)
#define CPUID_1_ECX_XSAVE BIT(26)
#define CPUID_1_ECX_OSXSAVE BIT(27)
#define CPUID_1_ECX_HYPERVISOR BIT(31)
#define CPUID_7_EBX_TSC_ADJUST BIT(1)
#define CPUID_7_EBX_SGX BIT(2)
#define CPUID_81_ECX_SVM BIT(2)

#endif
