/* The MSR policy table (see msr_policy.h) and the emulated MSRs. */
#include "arch/x86/msr_index.h"
#include "hv/msr_policy.h"
#include "hv/vcpu.h"

#define P MSR_PASSTHROUGH
#define F MSR_FIELD
#define E MSR_EMULATED
#define D MSR_DENY

/* Sorted by index. Every MSR here is either architectural on both vendors or harmless to emulate. */
const struct msr_rule msr_rules[] = {
	{ MSR_TSC, MSR_TSC, P, F, "TSC", "reads run natively with the TSC offset applied; a write moves the guest's offset" },
	{ MSR_PLATFORM_ID, MSR_PLATFORM_ID, E, E, "PLATFORM_ID", "reads 0; no microcode loading in guests" },
	{ MSR_APIC_BASE, MSR_APIC_BASE, E, E, "APIC_BASE", "fixed xAPIC at 0xFEE00000, BSP; changes refused" },
	{ MSR_BIOS_SIGN_ID, MSR_BIOS_SIGN_ID, E, E, "BIOS_SIGN_ID", "microcode revision reads 0, writes ignored" },
	{ MSR_MTRR_CAP, MSR_MTRR_CAP, E, D, "MTRRCAP", "no variable or fixed MTRRs: guest memory is write-back through NPT/EPT" },
	{ MSR_SYSENTER_CS, MSR_SYSENTER_EIP, P, P, "SYSENTER_CS/ESP/EIP", "guest-owned; VMCB/VMCS guest state, unused by the hypervisor" },
	{ MSR_MCG_CAP, MSR_MCG_STATUS, E, D, "MCG_CAP/MCG_STATUS", "no machine-check banks exposed" },
	{ MSR_MISC_ENABLE, MSR_MISC_ENABLE, E, E, "MISC_ENABLE", "fast strings on, BTS/PEBS unavailable; writes kept per guest" },
	{ MSR_XFD, MSR_XFD_ERR, E, E, "XFD/XFD_ERR", "XFD scheme (hv/xstate.c): XFD writes validated until the first non-zero one, then passed through; XFD_ERR captured at #NM; #GP without XFD" },
	{ MSR_DEBUGCTL, MSR_DEBUGCTL, E, E, "DEBUGCTL", "reads 0; only 0 may be written (no LBR/BTF virtualization yet)" },
	{ MSR_PAT, MSR_PAT, F, F, "PAT", "SVM G_PAT / VMX guest IA32_PAT field; invalid types get #GP" },
	{ MSR_MTRR_DEF_TYPE, MSR_MTRR_DEF_TYPE, E, E, "MTRR_DEF_TYPE", "kept per guest, has no effect" },
	{ MSR_EFER, MSR_EFER, F, F, "EFER", "VMCB/VMCS guest EFER; SVME hidden, reserved bits #GP" },
	{ MSR_STAR, MSR_SFMASK, P, P, "STAR/LSTAR/CSTAR/SFMASK", "guest-owned: loaded by VMLOAD (SVM) or left live (VMX); unused by the hypervisor" },
	{ MSR_FS_BASE, MSR_KERNEL_GS_BASE, P, P, "FS/GS/KERNEL_GS_BASE", "guest-owned; segment state in the VMCB/VMCS or left live" },
	{ MSR_TSC_AUX, MSR_TSC_AUX, P, P, "TSC_AUX", "guest-owned; the hypervisor never executes RDTSCP/RDPID" },
};
const size_t msr_rule_count = ARRAY_SIZE(msr_rules);

const struct msr_rule *msr_rule_find(uint32_t msr)
{
	for (size_t i = 0; i < msr_rule_count; i++)
		if (msr >= msr_rules[i].first && msr <= msr_rules[i].last)
			return &msr_rules[i];
	return NULL;
}

enum msr_handling msr_handling_for(uint32_t msr, bool write)
{
	const struct msr_rule *r = msr_rule_find(msr);
	if (!r)
		return MSR_DENY;
	return write ? r->write : r->read;
}

const char *msr_handling_name(enum msr_handling h)
{
	switch (h) {
	case MSR_PASSTHROUGH:
		return "passthrough";
	case MSR_FIELD:
		return "dedicated field";
	case MSR_EMULATED:
		return "emulated";
	default:
		return "denied (#GP)";
	}
}

#define APIC_BASE_VALUE (0xfee00000ull | BIT(11) /* enabled */ | BIT(8) /* BSP */)
#define MISC_ENABLE_FAST_STRING BIT(0)
#define MISC_ENABLE_BTS_UNAVAIL BIT(11)
#define MISC_ENABLE_PEBS_UNAVAIL BIT(12)
/* Bits a guest may change: fast strings and the CPUID max-leaf limit. */
#define MISC_ENABLE_WRITABLE (MISC_ENABLE_FAST_STRING | BIT(22))

int msr_emulate_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	switch (msr) {
	case MSR_XFD:
	case MSR_XFD_ERR:
		return xstate_msr_read(v, msr, val);
	case MSR_APIC_BASE:
		*val = APIC_BASE_VALUE;
		return 0;
	case MSR_MISC_ENABLE:
		*val = v->msr_misc_enable;
		return 0;
	case MSR_MTRR_DEF_TYPE:
		*val = v->msr_mtrr_def_type;
		return 0;
	case MSR_PLATFORM_ID:
	case MSR_BIOS_SIGN_ID:
	case MSR_MTRR_CAP:
	case MSR_MCG_CAP:
	case MSR_MCG_STATUS:
	case MSR_DEBUGCTL:
		*val = 0;
		return 0;
	default:
		return -1;
	}
}

int msr_emulate_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
	switch (msr) {
	case MSR_XFD:
	case MSR_XFD_ERR:
		return xstate_msr_write(v, msr, val);
	case MSR_APIC_BASE:
		return val == APIC_BASE_VALUE ? 0 : -1;
	case MSR_MISC_ENABLE:
		if ((val ^ v->msr_misc_enable) & ~MISC_ENABLE_WRITABLE)
			return -1;
		v->msr_misc_enable = val;
		return 0;
	case MSR_MTRR_DEF_TYPE: {
		/* Intel SDM vol. 3A 11.11.2.1: type in bits 7:0 (0,1,4,5,6), FE bit 10, E bit 11. */
		uint8_t type = val & 0xff;
		if ((val & ~0xcffull) || type == 2 || type == 3 || type > 6)
			return -1;
		v->msr_mtrr_def_type = val;
		return 0;
	}
	case MSR_BIOS_SIGN_ID:
		return 0;
	case MSR_DEBUGCTL:
		return val ? -1 : 0;
	default:
		return -1;
	}
}

/* Initial values of the emulated MSRs at guest start (power-on values). */
void msr_emulate_reset(struct vcpu *v)
{
	v->msr_misc_enable = MISC_ENABLE_FAST_STRING | MISC_ENABLE_BTS_UNAVAIL | MISC_ENABLE_PEBS_UNAVAIL;
	v->msr_mtrr_def_type = 0;
}
