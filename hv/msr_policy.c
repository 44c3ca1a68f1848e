/* The MSR policy table (see msr_policy.h) and the emulated MSRs. */
#include "arch/x86/msr_index.h"
#include "hv/msr_policy.h"
#include "hv/host_cpu.h"
#include "hv/vcpu.h"
#include "hv/vlapic_log.h"

#define P MSR_PASSTHROUGH
#define F MSR_FIELD
#define E MSR_EMULATED
#define D MSR_DENY

#define MSR_UMWAIT_CONTROL 0xe1
#define MSR_PMC0 0xc1
#define MSR_PMC7 0xc8
#define MSR_BIOS_UPDT_TRIG 0x79
#define MSR_SMBASE 0x9e
#define MSR_PERFEVTSEL0 0x186
#define MSR_PERFEVTSEL7 0x18d
#define MSR_SMRR_PHYSBASE 0x1f2
#define MSR_SMRR_PHYSMASK 0x1f3
#define MSR_FIXED_CTR_CTRL 0x38d
#define MSR_PERF_GLOBAL_OVF_CTRL 0x390
#define MSR_VMX_LAST 0x493
#define MSR_X2APIC_FIRST 0x800
#define MSR_X2APIC_LAST 0x8ff
#define MSR_AMD_PERF_CTL0 0xc0010000
#define MSR_AMD_PERF_CTR3 0xc0010007
#define MSR_AMD_INT_PENDING 0xc0010055 /* Interrupt Pending Message (fam 0Fh/10h BKDG) */
#define MSR_AMD_SMM_ADDR 0xc0010112
#define MSR_AMD_SMM_MASK 0xc0010113

#define VMLOAD_LIVE "loaded once by VMLOAD, then live"
#define VMX_LIVE "not switched: live in the CPU"
#define EMUL "intercepted, emulated"
#define DENY "intercepted, #GP"

/* Sorted by index; no two ranges overlap (tested). Anything not listed is denied. */
const struct msr_rule msr_rules[] = {
	{ MSR_TSC, MSR_TSC, P, F, "TSC", "TSC_OFFSET (VMCB)", "TSC offset (VMCS)",
	  "reads run natively with the offset applied; a write moves the guest's offset" },
	{ MSR_PLATFORM_ID, MSR_PLATFORM_ID, E, D, "PLATFORM_ID", EMUL, EMUL, "reads 0; read-only" },
	{ MSR_APIC_BASE, MSR_APIC_BASE, E, E, "APIC_BASE", EMUL, EMUL,
	  "virtual local APIC (hv/vlapic_msr.c): EN/EXTD transitions as SDM 11.12.5 (illegal ones "
	  "#GP), BSP read-only; the base stays at 0xFEE00000 (a move #GPs, logged once)" },
	{ MSR_FEATURE_CONTROL, MSR_FEATURE_CONTROL, D, D, "FEATURE_CONTROL", DENY, DENY,
	  "VMX/SMX enabling belongs to the hypervisor" },
	{ MSR_BIOS_UPDT_TRIG, MSR_BIOS_UPDT_TRIG, D, D, "BIOS_UPDT_TRIG", DENY, DENY,
	  "microcode updates would change the CPU under every guest" },
	{ MSR_BIOS_SIGN_ID, MSR_BIOS_SIGN_ID, E, E, "BIOS_SIGN_ID", EMUL, EMUL,
	  "microcode revision reads 0, writes ignored" },
	{ MSR_SMBASE, MSR_SMBASE, D, D, "SMBASE", DENY, DENY, "SMM belongs to the firmware" },
	{ MSR_PMC0, MSR_PMC7, E, E, "PMC0-7", EMUL, EMUL,
	  "no virtual PMU (CPUID 0xA is zero): counters read 0, writes dropped" },
	{ MSR_UMWAIT_CONTROL, MSR_UMWAIT_CONTROL, E, E, "UMWAIT_CONTROL", EMUL, EMUL,
	  "kept per guest and never loaded into the hardware: its effect is not architecturally "
	  "visible and a guest must not set the core's power policy (seed 003)" },
	{ MSR_MTRR_CAP, MSR_MTRR_CAP, E, D, "MTRRCAP", EMUL, EMUL,
	  "no variable or fixed MTRRs: guest memory is write-back through NPT/EPT" },
	{ MSR_SYSENTER_CS, MSR_SYSENTER_EIP, P, P, "SYSENTER_CS/ESP/EIP", VMLOAD_LIVE,
	  "guest-state fields (VMCS)", "guest-owned; the hypervisor never executes SYSENTER" },
	{ MSR_MCG_CAP, MSR_MCG_STATUS, E, D, "MCG_CAP/MCG_STATUS", EMUL, EMUL,
	  "no machine-check banks exposed" },
	{ MSR_PERFEVTSEL0, MSR_PERFEVTSEL7, E, E, "PERFEVTSEL0-7", EMUL, EMUL,
	  "no virtual PMU: read 0, writes dropped" },
	{ MSR_MISC_ENABLE, MSR_MISC_ENABLE, E, E, "MISC_ENABLE", EMUL, EMUL,
	  "fast strings on, BTS/PEBS unavailable; writable: fast strings, TCC, Limit CPUID Maxval, "
	  "XD Bit Disable (the last two change the guest's CPUID); other changes #GP" },
	{ MSR_XFD, MSR_XFD_ERR, E, E, "XFD/XFD_ERR", "intercepted; XFD writes passed through once used",
	  "intercepted; XFD writes passed through once used",
	  "XFD scheme (hv/xstate.c): XFD validated until its first non-zero write, then passthrough "
	  "with #NM intercepted so XFD_ERR is captured; #GP on CPUs without XFD" },
	{ MSR_DEBUGCTL, MSR_DEBUGCTL, E, E, "DEBUGCTL", EMUL, EMUL,
	  "reads 0; only 0 may be written (no LBR/BTF virtualization yet)" },
	{ MSR_SMRR_PHYSBASE, MSR_SMRR_PHYSMASK, D, D, "SMRR_PHYSBASE/MASK", DENY, DENY,
	  "SMM belongs to the firmware" },
	{ MSR_PAT, MSR_PAT, F, F, "PAT", "G_PAT (VMCB)",
	  "guest IA32_PAT, entry/exit load controls; without them the MSR autoload lists, only while "
	  "it differs from the host's",
	  "invalid memory types #GP" },
	{ MSR_MTRR_DEF_TYPE, MSR_MTRR_DEF_TYPE, E, E, "MTRR_DEF_TYPE", EMUL, EMUL,
	  "kept per guest, has no effect" },
	{ MSR_FIXED_CTR_CTRL, MSR_PERF_GLOBAL_OVF_CTRL, E, E, "PERF_GLOBAL_* / FIXED_CTR_CTRL", EMUL,
	  EMUL, "no virtual PMU: read 0, writes dropped. With a PMU, PERF_GLOBAL_CTRL would use the "
	  "dedicated VMCS field, or the VMX autoload lists on CPUs without it" },
	{ MSR_VMX_BASIC, MSR_VMX_LAST, D, D, "VMX capability MSRs", DENY, DENY,
	  "VMX is hidden from guests" },
	{ MSR_TSC_DEADLINE, MSR_TSC_DEADLINE, E, E, "TSC_DEADLINE", EMUL, EMUL,
	  "the virtual APIC timer's TSC-deadline mode (guest TSC); reads 0 and ignores writes in the "
	  "other timer modes" },
	{ MSR_X2APIC_FIRST, MSR_X2APIC_LAST, E, E, "x2APIC registers", EMUL, EMUL,
	  "the virtual local APIC in x2APIC mode (SDM 11.12): reserved, read-only (on write) and "
	  "write-only (on read) registers and any access outside x2APIC mode #GP" },
	{ MSR_EFER, MSR_EFER, F, F, "EFER", "EFER (VMCB); SVME forced on, hidden",
	  "guest IA32_EFER, entry/exit load controls; without them the MSR autoload lists, only while "
	  "NXE (or another bit but SCE/LME/LMA) differs from the host's; IA-32e entry control follows LMA",
	  "reserved bits and LME changes with paging on #GP" },
	{ MSR_STAR, MSR_SFMASK, P, P, "STAR/LSTAR/CSTAR/SFMASK", VMLOAD_LIVE, VMX_LIVE,
	  "guest-owned; the hypervisor never executes SYSCALL" },
	{ MSR_FS_BASE, MSR_GS_BASE, P, P, "FS_BASE/GS_BASE", VMLOAD_LIVE " (segment state)",
	  "guest-state fields (VMCS)", "guest-owned; the hypervisor uses no FS/GS addressing" },
	{ MSR_KERNEL_GS_BASE, MSR_KERNEL_GS_BASE, P, P, "KERNEL_GS_BASE", VMLOAD_LIVE, VMX_LIVE,
	  "guest-owned; the hypervisor never executes SWAPGS" },
	{ MSR_TSC_AUX, MSR_TSC_AUX, P, P, "TSC_AUX", "not switched: live in the CPU", VMX_LIVE,
	  "guest-owned; the hypervisor never executes RDTSCP/RDPID" },
	{ MSR_AMD_PERF_CTL0, MSR_AMD_PERF_CTR3, E, E, "AMD PERF_CTL0-3/PERF_CTR0-3", EMUL, EMUL,
	  "no virtual PMU: read 0, writes dropped" },
	{ MSR_AMD_INT_PENDING, MSR_AMD_INT_PENDING, E, E, "INT_PENDING_MSG", EMUL, EMUL,
	  "reads 0 (no C1E on compare-halt: a guest's HLT exits); writes ignored. Linux reads it "
	  "with a plain RDMSR on CPUs its erratum-400 table names (families 0Fh/10h, and QEMU "
	  "TCG's) and logged an unchecked-MSR error at every boot" },
	{ MSR_AMD_SMM_ADDR, MSR_AMD_SMM_MASK, D, D, "SMM_ADDR/SMM_MASK", DENY, DENY,
	  "SMM belongs to the firmware" },
	{ MSR_VM_CR, MSR_VM_HSAVE_PA, D, D, "VM_CR/IGNNE/SMM_CTL/VM_HSAVE_PA", DENY, DENY,
	  "SVM control belongs to the hypervisor; SVM is hidden from guests" },
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

void msr_policy_each_passthrough(void (*fn)(void *ctx, uint32_t msr, bool write), void *ctx)
{
	for (size_t i = 0; i < msr_rule_count; i++) {
		const struct msr_rule *r = &msr_rules[i];
		for (uint32_t msr = r->first; msr <= r->last; msr++) {
			if (r->read == MSR_PASSTHROUGH)
				fn(ctx, msr, false);
			if (r->write == MSR_PASSTHROUGH)
				fn(ctx, msr, true);
		}
	}
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

/* IA32_MISC_ENABLE (SDM vol. 4 table 2-2, "IA32_MISC_ENABLE"). */
#define MISC_ENABLE_FAST_STRING BIT(0)  /* R/W */
#define MISC_ENABLE_TCC BIT(3)          /* R/W: automatic thermal control circuit */
#define MISC_ENABLE_BTS_UNAVAIL BIT(11) /* RO */
#define MISC_ENABLE_PEBS_UNAVAIL BIT(12) /* RO */
#define MISC_ENABLE_LIMIT_CPUID BIT(22) /* R/W if CPUID.0:EAX > 2 */
#define MISC_ENABLE_XD_DISABLE BIT(34)  /* R/W if CPUID.80000001H:EDX[20] = 1 */
/* Bit 7 (performance monitoring available) reads 0: no virtual PMU.
 * What a guest may change, bit by bit, against the CPUID it is shown:
 *   0 fast strings, 3 TCC: kept per guest, no effect on the core (the host owns thermal
 *     control and the string microcode);
 *   22 Limit CPUID Maxval (when the max basic leaf > 2): leaf 0 then reports 2;
 *   34 XD Bit Disable (when NX is shown): 0x80000001 EDX[20] and EFER.NXE then go away.
 * Read-only (7, 11, 12) and the bits whose condition the guest's CPUID does not meet
 * (16 EIST: 1.ECX[7] hidden; 18 MONITOR FSM: MONITOR cannot be enabled, 1.ECX[3] stays 0;
 * 23 xTPR: 1.ECX[14] hidden) and every reserved bit: a change #GPs.
 */
static uint64_t misc_enable_writable(const struct vcpu *v)
{
	uint64_t w = MISC_ENABLE_FAST_STRING | MISC_ENABLE_TCC;
	if (v->cpuid.max_basic > 2)
		w |= MISC_ENABLE_LIMIT_CPUID;
	if (v->cpuid.nx_offered)
		w |= MISC_ENABLE_XD_DISABLE;
	return w;
}

/* The performance-monitoring MSRs: with no virtual PMU they read 0 and drop writes. */
static bool is_pmu(uint32_t msr)
{
	return (msr >= MSR_PMC0 && msr <= MSR_PMC7) ||
	       (msr >= MSR_PERFEVTSEL0 && msr <= MSR_PERFEVTSEL7) ||
	       (msr >= MSR_FIXED_CTR_CTRL && msr <= MSR_PERF_GLOBAL_OVF_CTRL) ||
	       (msr >= MSR_AMD_PERF_CTL0 && msr <= MSR_AMD_PERF_CTR3);
}

static bool is_apic(uint32_t msr)
{
	return msr == MSR_APIC_BASE || msr == MSR_TSC_DEADLINE ||
	       (msr >= MSR_X2APIC_FIRST && msr <= MSR_X2APIC_LAST);
}

static uint64_t guest_tsc(const struct vcpu *v)
{
	return host_rdtsc() + v->tsc_offset;
}

/* The APIC's MSRs (hv/vlapic_msr.c), and what a write changes outside the APIC: CPUID's
 * APIC flags follow IA32_APIC_BASE.EN (SDM vol. 3A 11.4.3: with the APIC globally disabled
 * "the CPUID feature flag for the APIC is also set to 0"; the table holds the view, so the
 * fast CPUID path needs no work), a refused base move and a dropped IPI are logged once. */
static int apic_msr_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
	bool was_enabled = vlapic_enabled(&v->lapic);
	int rc = vlapic_msr_write(&v->lapic, msr, val, guest_tsc(v));
	if (msr == MSR_APIC_BASE && rc && vlapic_base_move_refused(&v->lapic, val))
		vlapic_log_base_move(v, val);
	if (msr == MSR_APIC_BASE && !rc && was_enabled != vlapic_enabled(&v->lapic))
		cpuid_apply_apic_enable(&v->cpuid, vlapic_enabled(&v->lapic));
	vlapic_log_events(v);
	return rc;
}

int msr_emulate_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	if (is_apic(msr))
		return vlapic_msr_read(&v->lapic, msr, val, guest_tsc(v));
	switch (msr) {
	case MSR_XFD:
	case MSR_XFD_ERR:
		return xstate_msr_read(v, msr, val);
	case MSR_MISC_ENABLE:
		*val = v->msr_misc_enable;
		return 0;
	case MSR_MTRR_DEF_TYPE:
		*val = v->msr_mtrr_def_type;
		return 0;
	case MSR_UMWAIT_CONTROL:
		*val = v->msr_umwait_control;
		return 0;
	case MSR_PLATFORM_ID:
	case MSR_BIOS_SIGN_ID:
	case MSR_MTRR_CAP:
	case MSR_MCG_CAP:
	case MSR_MCG_STATUS:
	case MSR_DEBUGCTL:
	case MSR_AMD_INT_PENDING:
		*val = 0;
		return 0;
	default:
		*val = 0;
		return is_pmu(msr) ? 0 : -1;
	}
}

int msr_emulate_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
	if (is_apic(msr))
		return apic_msr_write(v, msr, val);
	switch (msr) {
	case MSR_XFD:
	case MSR_XFD_ERR:
		return xstate_msr_write(v, msr, val);
	case MSR_MISC_ENABLE:
		if ((val ^ v->msr_misc_enable) & ~misc_enable_writable(v))
			return -1;
		v->msr_misc_enable = val;
		cpuid_apply_misc_enable(&v->cpuid, val & MISC_ENABLE_LIMIT_CPUID,
					val & MISC_ENABLE_XD_DISABLE);
		return 0;
	case MSR_MTRR_DEF_TYPE: {
		/* Intel SDM vol. 3A 11.11.2.1: type in bits 7:0 (0,1,4,5,6), FE bit 10, E bit 11. */
		uint8_t type = val & 0xff;
		if ((val & ~0xcffull) || type == 2 || type == 3 || type > 6)
			return -1;
		v->msr_mtrr_def_type = val;
		return 0;
	}
	case MSR_UMWAIT_CONTROL:
		/* Bit 0 disables C0.2, bits 31:2 the TSC-quanta limit; bit 1 and 63:32 reserved
		 * (SDM vol. 4, IA32_UMWAIT_CONTROL). Never written to the hardware. */
		if (val & ~0xfffffffdull)
			return -1;
		v->msr_umwait_control = val;
		return 0;
	case MSR_BIOS_SIGN_ID:
	case MSR_AMD_INT_PENDING:
		return 0;
	case MSR_DEBUGCTL:
		return val ? -1 : 0;
	default:
		return is_pmu(msr) ? 0 : -1;
	}
}

/* Initial values of the emulated MSRs at guest start (power-on values). */
void msr_emulate_reset(struct vcpu *v)
{
	v->msr_misc_enable = MISC_ENABLE_FAST_STRING | MISC_ENABLE_BTS_UNAVAIL | MISC_ENABLE_PEBS_UNAVAIL;
	v->msr_mtrr_def_type = 0;
	v->msr_umwait_control = 0x186a0; /* power-on value: 100,000 TSC quanta, C0.2 allowed */
}
