/*
 * The CPUID values a guest sees: computed once when the guest is created from
 * the host's CPUID and the guest's configuration, then looked up on every
 * CPUID exit without executing CPUID again.
 */
#ifndef HV_CPUID_POLICY_H
#define HV_CPUID_POLICY_H

#include "hv/cpuid_features.h"
#include "hv/types.h"

#define CPUID_BASIC_MAX 0x20      /* leaves 0x0..0x1f kept */
#define CPUID_EXT_MAX 0x22        /* leaves 0x80000000..0x80000021 kept */
#define CPUID_INDEXED_MAX 96      /* (leaf, subleaf) entries for subleaf-indexed leaves */
#define CPUID_HV_BASE 0x40000000u
#define CPUID_HV_SIGNATURE "HvTypeOneX86" /* 12 bytes in EBX, ECX, EDX */
#define CPUID_HV_FREQ_LEAF 0x40000010u /* TSC kHz in EAX, APIC bus kHz in EBX (as VMware, KVM) */

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
	struct cpuid_value hv_freq; /* 0x40000010: TSC and APIC timer frequencies */
	struct cpuid_indexed indexed[CPUID_INDEXED_MAX];
	bool nx_offered; /* 0x80000001 EDX[20] shown: IA32_MISC_ENABLE's XD Bit Disable exists */
	uint8_t apic_offered; /* APIC flag shown in 1.EDX (bit 0), 0x80000001 EDX (bit 1) */
};

/* Where host values come from: CPUID itself on hv.efi, a synthetic table in tests. */
typedef struct cpuid_value (*cpuid_source_fn)(uint32_t leaf, uint32_t subleaf);

struct cpuid_guest_info {
	uint32_t cpu;         /* physical CPU index, reported in 0x40000001 EBX */
	uint64_t mem_bytes;   /* reported in MiB in 0x40000001 ECX */
	uint64_t xcr0_allowed; /* the XCR0 bits the guest may set: leaves 1, 7, 0xD, 0x1D, 0x1E agree */
	uint64_t xss_allowed;  /* the IA32_XSS bits the guest may set (none today: XSS is denied) */
	struct cpuid_backend_caps caps; /* what the backend set up on this CPU */
	const struct cpuid_feature_set *features; /* NULL: the built-in table (tests pass others) */
	/* The guest's TSC and APIC timer input frequencies (0: unknown, the frequency leaves
	 * then read 0): leaves 0x15/0x16 on Intel and 0x40000010. */
	uint64_t tsc_khz, bus_khz;
};

void cpuid_table_build(struct cpuid_table *t, cpuid_source_fn host, const struct cpuid_guest_info *g);
/* The guest's view of (leaf, subleaf); the dynamic bits (OSXSAVE, OSPKE: hv/exit_dispatch.c
 * and hv/exit_fast.h; leaf 0xD sizes and XFD: hv/xstate.c) are applied by the caller. */
struct cpuid_value cpuid_lookup(const struct cpuid_table *t, uint32_t leaf, uint32_t subleaf);

/* Bits the code outside the feature table refers to (Intel SDM vol. 2A CPUID; AMD APM
 * vol. 3 appendix E). What the guest sees of every feature bit is decided by the table in
 * hv/cpuid_feature_table.c. */
#define CPUID_1_ECX_MONITOR BIT(3)
#define CPUID_1_ECX_VMX BIT(5)
#define CPUID_1_ECX_X2APIC BIT(21)
#define CPUID_1_ECX_XSAVE BIT(26)
#define CPUID_1_ECX_OSXSAVE BIT(27)
#define CPUID_1_ECX_HYPERVISOR BIT(31)
#define CPUID_7_EBX_TSC_ADJUST BIT(1)
#define CPUID_7_EBX_SGX BIT(2)
#define CPUID_7_ECX_PKU BIT(3)
#define CPUID_7_ECX_OSPKE BIT(4)
#define CPUID_81_ECX_SVM BIT(2)
#define CPUID_81_ECX_TCE BIT(17)
#define CPUID_81_ECX_MONITORX BIT(29)
#define CPUID_88_EBX_INVLPGB BIT(3)
#define CPUID_88_EBX_HIDDEN (BIT(12) | BIT(14) | BIT(15) | BIT(24) | BIT(25)) /* IBPB..VIRT_SSBD */
#define CPUID_8021_EAX_AUTOIBRS BIT(8)
#define CPUID_7_EDX_AMX_MASK 0x03400000u /* AMX-BF16, AMX-TILE, AMX-INT8 (EDX 22,24,25) */
#define CPUID_D1_EAX_XSAVEC BIT(1)
#define CPUID_D1_EAX_XSAVES BIT(3)
#define CPUID_D1_EAX_XFD BIT(4)
#define CPUID_7_EDX_HIDDEN (BIT(26) | BIT(27) | BIT(29) | BIT(31)) /* IBRS/STIBP/ARCH_CAP/SSBD */

/* The compacted-format size (XSAVEC/XSAVES) for the components in mask, from t's sub-leaves. */
uint32_t cpuid_xsave_compacted_size(const struct cpuid_table *t, uint64_t mask);
/* The parts of leaf 0xD that follow the guest's current XCR0 (and IA32_XSS): (0xD,0).EBX
 * and, where XSAVEC or XSAVES is shown, (0xD,1).EBX. Applied to r, the table's value. */
void cpuid_xsave_dynamic(const struct cpuid_table *t, uint64_t xcr0, uint64_t xss, uint32_t subleaf,
			 struct cpuid_value *r);
/* IA32_MISC_ENABLE's effects on the view (SDM vol. 4 table 2-2): Limit CPUID Maxval (bit 22)
 * makes leaf 0 report 2, XD Bit Disable (bit 34) clears 0x80000001 EDX[20]. */
void cpuid_apply_misc_enable(struct cpuid_table *t, bool limit_maxval, bool xd_disable);
/* IA32_APIC_BASE.EN's effect on the view (SDM vol. 3A 11.4.3): 1.EDX[9] and, where shown,
 * 0x80000001 EDX[9] read 0 while the APIC is globally disabled. */
void cpuid_apply_apic_enable(struct cpuid_table *t, bool enabled);
/* The guest-visible slot of a register, or NULL when the table does not hold that leaf. */
uint32_t *cpuid_table_reg(struct cpuid_table *t, uint32_t leaf, uint32_t subleaf, unsigned reg);
/* The XSAVE area size (standard format) that the XCR0 components in mask need, from the
 * sub-leaves of leaf 0xD in t: 576 (legacy area and header) or the end of the last one. */
uint32_t cpuid_xsave_size(const struct cpuid_table *t, uint64_t mask);

#endif
