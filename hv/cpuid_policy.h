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
	uint32_t cpu;         /* physical CPU index, reported in 0x40000001 EBX */
	uint64_t mem_bytes;   /* reported in MiB in 0x40000001 ECX */
	uint64_t xcr0_allowed; /* the XCR0 bits the guest may set: leaves 1, 7, 0xD, 0x1D, 0x1E agree */
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
#define CPUID_81_ECX_TCE BIT(17)   /* EFER.TCE: not offered (arch/x86/efer.c) */
/* 0x80000008 EBX: IBPB, IBRS, STIBP, SSBD, VIRT_SSBD need PRED_CMD/SPEC_CTRL/VIRT_SPEC_CTRL,
 * which guests are not offered (hv/msr_policy.c), as CPUID_7_EDX_HIDDEN on Intel. */
#define CPUID_88_EBX_HIDDEN (BIT(12) | BIT(14) | BIT(15) | BIT(24) | BIT(25))
#define CPUID_8021_EAX_AUTOIBRS BIT(8) /* EFER.AIBRSE: not offered */
#define CPUID_1_ECX_FMA BIT(12)
#define CPUID_1_ECX_AVX BIT(28)
#define CPUID_1_ECX_F16C BIT(29)
#define CPUID_7_EBX_AVX2 BIT(5)
#define CPUID_7_EBX_MPX BIT(14)
#define CPUID_7_EBX_AVX512_MASK 0xdc230000u /* F DQ IFMA PF ER CD BW VL (EBX 16,17,21,26-28,30,31) */
#define CPUID_7_ECX_PKU BIT(3)
#define CPUID_7_ECX_AVX512_MASK 0x00005842u /* VBMI VBMI2 VNNI BITALG VPOPCNTDQ (ECX 1,6,11,12,14) */
#define CPUID_7_EDX_AVX512_MASK 0x0080010cu /* 4VNNIW 4FMAPS VP2INTERSECT FP16 (EDX 2,3,8,23) */
#define CPUID_7_EDX_AMX_MASK 0x03400000u    /* AMX-BF16, AMX-TILE, AMX-INT8 (EDX 22,24,25) */
#define CPUID_D1_EAX_XFD BIT(4)
#define CPUID_7_EDX_HIDDEN (BIT(26) | BIT(27) | BIT(29) | BIT(31)) /* IBRS/STIBP/ARCH_CAP/SSBD: MSRs not offered */

#endif
