/*
 * The CPUID feature table: every feature bit a guest may ever see, tied to what
 * the feature needs under hv (instructions that must not be intercepted as #UD,
 * MSRs the MSR policy must offer, CR4/EFER bits the guest must be able to set,
 * XCR0/IA32_XSS components it must be permitted). It is an allowlist: a bit of a
 * feature register that no entry names is never shown. A bit is shown when the
 * host has it, its entry says offer, and every need is met on this CPU and
 * backend (cpuid_feature_allowed). docs/cpuid-policy.md is generated from it.
 */
#ifndef HV_CPUID_FEATURES_H
#define HV_CPUID_FEATURES_H

#include "hv/types.h"

enum cpuid_reg { CPUID_EAX, CPUID_EBX, CPUID_ECX, CPUID_EDX };

enum cpuid_choice {
	CPUID_HIDE,    /* never shown */
	CPUID_OFFER,   /* shown when the host has it and every need is met */
	CPUID_DYNAMIC, /* 0 in the table; the CPUID exit sets it from guest state (CR4, XFD) */
	CPUID_HV_SET,  /* set by the hypervisor whatever the host says (1.ECX[31]) */
};

/* Instruction groups a feature promises. The backend reports which of them really run
 * in the guest: not intercepted into #UD, and enabled by whatever control they need
 * (on VMX, "enable RDTSCP" also governs RDPID; SDM vol. 3C table 25-7). */
#define CPUID_INSN_MONITOR BIT(0)  /* MONITOR/MWAIT */
#define CPUID_INSN_MONITORX BIT(1) /* MONITORX/MWAITX (AMD) */
#define CPUID_INSN_RDTSCP BIT(2)
#define CPUID_INSN_RDPID BIT(3)
#define CPUID_INSN_INVPCID BIT(4)
#define CPUID_INSN_XSAVES BIT(5)   /* XSAVES/XRSTORS */
#define CPUID_INSN_WAITPKG BIT(6)  /* TPAUSE/UMONITOR/UMWAIT */
#define CPUID_INSN_INVLPGB BIT(7)  /* INVLPGB/TLBSYNC (AMD) */
#define CPUID_INSN_PCONFIG BIT(8)
#define CPUID_INSN_COUNT 9

#define CPUID_CR4_OSXSAVE BIT(18) /* a feature with XCR0 state also needs XSAVE enabled */

/* What the backend set up on this CPU, in neutral terms (filled by arch code). */
struct cpuid_backend_caps {
	uint32_t insns; /* CPUID_INSN_* groups that run in the guest */
	uint64_t cr4;   /* CR4 bits the guest may set */
};

#define CPUID_MAX_NEED_MSRS 3

struct cpuid_feature {
	uint32_t leaf;
	uint8_t subleaf, reg; /* enum cpuid_reg */
	uint8_t choice;       /* enum cpuid_choice */
	uint32_t mask;        /* one bit, or a multi-bit field of the register */
	uint32_t insns;       /* CPUID_INSN_* that must run in the guest */
	uint64_t cr4, efer;   /* control-register bits the guest must be able to set */
	uint64_t xcr0, xss;   /* state components that must be permitted */
	uint32_t msrs[CPUID_MAX_NEED_MSRS]; /* MSRs the MSR policy must offer (0 ends the list) */
	const char *name, *why;
};

/* A register that holds feature flags: its guest value is host & the offered entries. */
struct cpuid_feature_reg {
	uint32_t leaf;
	uint8_t subleaf, reg;
};

/* What the needs are checked against for one guest on one CPU. */
struct cpuid_need_env {
	struct cpuid_backend_caps caps;
	uint64_t efer; /* EFER bits the guest may set (arch/x86/efer.c) */
	uint64_t xcr0; /* XCR0 bits the guest may set */
	uint64_t xss;  /* IA32_XSS bits the guest may set */
};

/* A whole leaf shown only while a feature bit is shown (else every sub-leaf reads 0);
 * dep_mask 0: the leaf is always hidden. */
struct cpuid_leaf_rule {
	uint32_t leaf;
	uint32_t dep_leaf;
	uint8_t dep_subleaf, dep_reg;
	uint32_t dep_mask;
	const char *why;
};

struct cpuid_feature_set {
	const struct cpuid_feature *entries;
	size_t count;
};

extern const struct cpuid_feature cpuid_features[];
extern const size_t cpuid_feature_count;
extern const struct cpuid_feature_set cpuid_feature_default;
extern const struct cpuid_feature_reg cpuid_feature_regs[];
extern const size_t cpuid_feature_reg_count;
extern const struct cpuid_leaf_rule cpuid_leaf_rules[];
extern const size_t cpuid_leaf_rule_count;

/* Which need of f is not met (a short phrase), or NULL when all are. */
const char *cpuid_feature_unmet(const struct cpuid_feature *f, const struct cpuid_need_env *env);
/* The bits of register (leaf, subleaf, reg) the guest may see: the union of the masks of
 * the entries that offer and whose needs are met, plus the hypervisor-set ones. */
uint32_t cpuid_feature_allowed(const struct cpuid_feature_set *set, uint32_t leaf, uint32_t subleaf,
			       unsigned reg, const struct cpuid_need_env *env);
/* The union of every entry's mask for a register: the bits the table covers. */
uint32_t cpuid_feature_covered(const struct cpuid_feature_set *set, uint32_t leaf, uint32_t subleaf,
			       unsigned reg);
bool cpuid_feature_is_reg(uint32_t leaf, uint32_t subleaf, unsigned reg);
const char *cpuid_choice_name(enum cpuid_choice c);
const char *cpuid_reg_name(unsigned reg);

/* The table as Markdown (docs/cpuid-policy.md is this output): the bytes needed, like snprintf. */
size_t cpuid_policy_markdown(char *buf, size_t size);

#endif
