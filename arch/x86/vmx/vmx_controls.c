/*
 * Computing the VMX controls from the capability MSRs (SDM vol. 3C 31.5.1,
 * appendix A.3-A.5).
 *
 * Each capability MSR reports, per control bit, its allowed 0-settings in
 * bits 31:0 (a 1 there means the control must be 1) and its allowed
 * 1-settings in bits 63:32 (a 0 there means the control must be 0). When
 * IA32_VMX_BASIC[55] is set the IA32_VMX_TRUE_* MSRs report which of the
 * "default1" controls (A.2) may really be 0; the caller then passes those.
 *
 * The value chosen for a class is: the controls this hypervisor needs, the
 * optional ones the CPU has, and the default1 controls (31.5.1 algorithm 3:
 * a default1 control whose meaning software does not use is left at 1),
 * except the few defaults it knowingly turns off (CR3-load/-store exiting,
 * pointless with EPT and unrestricted guest) when the CPU allows 0. Then the
 * must-be-1 bits are forced on; a needed control the CPU cannot set fails
 * with its name.
 */
#include "arch/x86/vmx/vmx_controls.h"
#include "arch/x86/cpu.h"
#include "arch/x86/vmx/vmx_vmcs.h"
#include "hv/cpuid_features.h"
#include "hv/fmt.h"
#include "hv/lib.h"

enum ctl_class { PIN, PROC, PROC2, EXIT, ENTRY, CLASS_COUNT };
enum ctl_use {
	REQUIRED, /* set, and the guest cannot run without it */
	OPTIONAL, /* set when the CPU allows it (passthrough of RDTSCP/INVPCID/XSAVES) */
	DYNAMIC,  /* left 0 here but must be settable: the backend flips it at run time */
	UNWANTED, /* cleared when the CPU allows 0, even if it is a default1 control */
};

struct ctl_spec {
	uint8_t cls, use;
	uint32_t bit;
	const char *name;
};

/* Names as in SDM vol. 3C tables 24-5 (pin), 24-6 (primary), 24-7 (secondary), 24-11 (exit), 24-13 (entry). */
static const struct ctl_spec specs[] = {
	{ PIN, REQUIRED, PIN_NMI_EXITING, "NMI exiting" },
	/* Physical interrupts are the host's: they exit, acknowledged, and are never delivered
	 * through the guest's IDT (docs/interrupts-at-takeover.md). */
	{ PIN, REQUIRED, PIN_EXTERNAL_INTERRUPT_EXITING, "external-interrupt exiting" },
	/* The guest's own NMIs (self-IPIs, docs/interrupts.md) are injected with blocking as on
	 * hardware: with "virtual NMIs" the interruptibility state's "blocking by NMI" is the
	 * guest's virtual-NMI blocking, set by an injected NMI and ended by the guest's IRET
	 * (24.4.2, 25.3, 26.6.1), while host NMIs still exit ("NMI exiting", which virtual
	 * NMIs need: 26.2.1.1). */
	{ PIN, REQUIRED, PIN_VIRTUAL_NMIS, "virtual NMIs" },
	{ PROC, REQUIRED, PROC_HLT_EXITING, "HLT exiting" },
	{ PROC, REQUIRED, PROC_USE_TSC_OFFSETTING, "use TSC offsetting" },
	{ PROC, REQUIRED, PROC_USE_IO_BITMAPS, "use I/O bitmaps" },
	{ PROC, REQUIRED, PROC_USE_MSR_BITMAPS, "use MSR bitmaps" },
	{ PROC, REQUIRED, PROC_MWAIT_EXITING, "MWAIT exiting" },
	{ PROC, REQUIRED, PROC_MONITOR_EXITING, "MONITOR exiting" },
	/* WBINVD/WBNOINVD and RDPMC are carried out by the core, as on SVM: a guest must not
	 * flush the caches the other partitions share (docs/cache-and-pmu.md). INVD always exits. */
	{ PROC, REQUIRED, PROC_RDPMC_EXITING, "RDPMC exiting" },
	/* A 64-bit guest's MOV CR8 would otherwise read and write the physical TPR (24.6.2):
	 * with the shadow it reaches only its own virtual-APIC page (29.3), as V_TPR on SVM. */
	{ PROC, REQUIRED, PROC_USE_TPR_SHADOW, "use TPR shadow" },
	{ PROC, REQUIRED, PROC_ACTIVATE_SECONDARY, "activate secondary controls" },
	/* Exit as soon as the guest can take a pending interrupt / NMI (25.2); flipped by
	 * request_window (vmx_events.c). NMI-window exiting needs virtual NMIs (26.2.1.1). */
	{ PROC, DYNAMIC, PROC_INTERRUPT_WINDOW_EXITING, "interrupt-window exiting" },
	{ PROC, DYNAMIC, PROC_NMI_WINDOW_EXITING, "NMI-window exiting" },
	{ PROC, UNWANTED, PROC_CR3_LOAD_EXITING, "CR3-load exiting" },
	{ PROC, UNWANTED, PROC_CR3_STORE_EXITING, "CR3-store exiting" },
	{ PROC2, REQUIRED, PROC2_ENABLE_EPT, "enable EPT" },
	{ PROC2, REQUIRED, PROC2_ENABLE_VPID, "enable VPID" },
	{ PROC2, REQUIRED, PROC2_UNRESTRICTED_GUEST, "unrestricted guest" },
	{ PROC2, REQUIRED, PROC2_WBINVD_EXITING, "WBINVD exiting" },
	{ PROC2, OPTIONAL, PROC2_ENABLE_RDTSCP, "enable RDTSCP" },
	{ PROC2, OPTIONAL, PROC2_ENABLE_INVPCID, "enable INVPCID" },
	{ PROC2, OPTIONAL, PROC2_ENABLE_XSAVES, "enable XSAVES/XRSTORS" },
	{ EXIT, REQUIRED, EXIT_HOST_ADDR_SPACE_SIZE, "host address-space size" },
	{ EXIT, REQUIRED, EXIT_ACK_INTERRUPT_ON_EXIT, "acknowledge interrupt on exit" },
	/* EFER and PAT: the dedicated fields when the CPU has them, else the MSR autoload
	 * lists (efer_pat_fallback below, arch/x86/vmx/vmx_efer_pat.c). */
	{ EXIT, OPTIONAL, EXIT_SAVE_EFER, "save IA32_EFER" },
	{ EXIT, OPTIONAL, EXIT_LOAD_EFER, "load IA32_EFER" },
	{ EXIT, OPTIONAL, EXIT_SAVE_PAT, "save IA32_PAT" },
	{ EXIT, OPTIONAL, EXIT_LOAD_PAT, "load IA32_PAT" },
	{ ENTRY, OPTIONAL, ENTRY_LOAD_EFER, "load IA32_EFER" },
	{ ENTRY, OPTIONAL, ENTRY_LOAD_PAT, "load IA32_PAT" },
	{ ENTRY, DYNAMIC, ENTRY_IA32E_MODE_GUEST, "IA-32e mode guest" },
};

/* Default1 controls (SDM vol. 3C A.2): reported as must-be-1 by the non-TRUE MSRs. */
static const uint32_t default1[CLASS_COUNT] = {
	[PIN] = 0x00000016u,
	[PROC] = 0x0401e172u,
	[PROC2] = 0,
	[EXIT] = 0x00036dffu,
	[ENTRY] = 0x000011ffu,
};

static uint64_t cap_of(const struct vmx_caps *c, int cls)
{
	switch (cls) {
	case PIN:
		return c->pin;
	case PROC:
		return c->proc;
	case PROC2:
		return c->proc2;
	case EXIT:
		return c->exit;
	default:
		return c->entry;
	}
}

static const char *const class_names[CLASS_COUNT] = {
	"pin-based", "primary processor-based", "secondary processor-based", "VM-exit", "VM-entry",
};

static int compute_class(const struct vmx_caps *caps, int cls, uint32_t *out, char *err,
			 size_t errlen)
{
	uint64_t cap = cap_of(caps, cls);
	uint32_t must1 = (uint32_t)cap, may1 = (uint32_t)(cap >> 32);
	uint32_t ctl = default1[cls];
	for (size_t i = 0; i < ARRAY_SIZE(specs); i++) {
		const struct ctl_spec *s = &specs[i];
		if (s->cls != cls)
			continue;
		bool can1 = may1 & s->bit, can0 = !(must1 & s->bit);
		switch (s->use) {
		case REQUIRED:
		case DYNAMIC:
			if (!can1) {
				hv_snprintf(err, errlen, "VMX: CPU lacks required control '%s' (%s)",
					    s->name, class_names[cls]);
				return -1;
			}
			if (s->use == REQUIRED)
				ctl |= s->bit;
			else if (!can0) {
				hv_snprintf(err, errlen, "VMX: CPU cannot clear control '%s' (%s)", s->name,
					    class_names[cls]);
				return -1;
			}
			break;
		case OPTIONAL:
			if (can1)
				ctl |= s->bit;
			break;
		case UNWANTED:
			if (can0)
				ctl &= (uint32_t)~s->bit;
			break;
		}
	}
	/* Force the must-be-1 bits, drop default1 bits the CPU cannot set (A.3: only "may"). */
	*out = (ctl | must1) & may1;
	return 0;
}

/*
 * EFER and PAT switch through their dedicated fields only when the CPU has both load
 * controls, the VM-entry one (guest value, 26.3.2.1) and the VM-exit one (host value,
 * 27.5.1); older parts and several nested VMX implementations have neither. Otherwise the
 * MSR's three controls (entry load, exit load, exit save) are cleared, its VMCS fields are
 * never touched (they exist only with the controls, appendix B), and the MSR goes through
 * the autoload lists. *missing says which load control the CPU lacks ("VM-entry" or
 * "VM-exit"; the entry one when both), for the log.
 */
static int efer_pat_fallback(const struct vmx_caps *caps, struct vmx_controls *out,
			     const char *msr, uint32_t entry_load, uint32_t exit_load,
			     uint32_t exit_save, const char **missing, char *err, size_t errlen)
{
	bool entry_ok = out->entry & entry_load, exit_ok = out->exit & exit_load;
	if (entry_ok && exit_ok)
		return 0;
	*missing = entry_ok ? "VM-exit" : "VM-entry";
	if (((uint32_t)caps->entry & entry_load) || ((uint32_t)caps->exit & (exit_load | exit_save))) {
		hv_snprintf(err, errlen, "VMX: CPU forces a '%s' control on but lacks the %s one", msr,
			    *missing);
		return -1;
	}
	out->entry &= ~entry_load;
	out->exit &= ~(exit_load | exit_save);
	return 1;
}

void vmx_caps_hide_efer_pat_controls(struct vmx_caps *caps)
{
	caps->entry &= ~((uint64_t)(ENTRY_LOAD_EFER | ENTRY_LOAD_PAT) << 32);
	caps->exit &= ~((uint64_t)(EXIT_LOAD_EFER | EXIT_SAVE_EFER | EXIT_LOAD_PAT | EXIT_SAVE_PAT) << 32);
}

int vmx_controls_compute(const struct vmx_caps *caps, struct vmx_controls *out, char *err,
			 size_t errlen)
{
	memset(out, 0, sizeof(*out));
	uint32_t *dst[CLASS_COUNT] = { &out->pin, &out->proc, &out->proc2, &out->exit, &out->entry };
	for (int cls = 0; cls < CLASS_COUNT; cls++)
		if (compute_class(caps, cls, dst[cls], err, errlen))
			return -1;
	int efer = efer_pat_fallback(caps, out, "load IA32_EFER", ENTRY_LOAD_EFER, EXIT_LOAD_EFER,
				     EXIT_SAVE_EFER, &out->efer_missing, err, errlen);
	int pat = efer_pat_fallback(caps, out, "load IA32_PAT", ENTRY_LOAD_PAT, EXIT_LOAD_PAT,
				    EXIT_SAVE_PAT, &out->pat_missing, err, errlen);
	if (efer < 0 || pat < 0)
		return -1;
	out->efer_lists = efer;
	out->pat_lists = pat;
	/* EPT paging structures: write-back and a 4-level walk (A.10, 24.6.11); INVEPT (30.3)
	 * to flush stale guest-physical mappings before the first entry. */
	uint64_t ev = caps->ept_vpid;
	const char *missing = !(ev & EPT_CAP_WB)           ? "write-back EPT paging structures"
			      : !(ev & EPT_CAP_WALK_4)     ? "4-level EPT page walks"
			      : !(ev & EPT_CAP_INVEPT)     ? "INVEPT"
			      : !(ev & (EPT_CAP_INVEPT_SINGLE | EPT_CAP_INVEPT_ALL)) ? "an INVEPT type"
										: NULL;
	if (missing) {
		hv_snprintf(err, errlen, "VMX: CPU lacks required EPT capability '%s'", missing);
		return -1;
	}
	/* VPID is used, so its cached translations must be flushable (30.3 INVVPID). */
	if (!(ev & VPID_CAP_INVVPID) || !(ev & (VPID_CAP_INVVPID_SINGLE | VPID_CAP_INVVPID_ALL))) {
		hv_snprintf(err, errlen, "VMX: CPU lacks required VPID capability 'INVVPID'");
		return -1;
	}
	out->invept_single = ev & EPT_CAP_INVEPT_SINGLE;
	out->invvpid = (ev & VPID_CAP_INVVPID) && (ev & (VPID_CAP_INVVPID_SINGLE | VPID_CAP_INVVPID_ALL));
	out->invvpid_single = ev & VPID_CAP_INVVPID_SINGLE;
	out->msr_list_max = VMX_MISC_MSR_LIST_MAX(caps->misc);
	return 0;
}

void vmx_cpuid_caps(const struct vmx_controls *c, uint64_t cr4_fixed1, struct cpuid_backend_caps *out)
{
	uint32_t insns = 0;
	if (c->proc2 & PROC2_ENABLE_RDTSCP)
		insns |= CPUID_INSN_RDTSCP | CPUID_INSN_RDPID;
	if ((c->proc2 & PROC2_ENABLE_INVPCID) && !(c->proc & PROC_INVLPG_EXITING))
		insns |= CPUID_INSN_INVPCID;
	if (c->proc2 & PROC2_ENABLE_XSAVES)
		insns |= CPUID_INSN_XSAVES;
	if ((c->proc2 & PROC2_ENABLE_USER_WAIT_PAUSE) && !(c->proc & PROC_RDTSC_EXITING))
		insns |= CPUID_INSN_WAITPKG;
	if (c->proc2 & PROC2_ENABLE_PCONFIG)
		insns |= CPUID_INSN_PCONFIG;
	if (!(c->proc & (PROC_MONITOR_EXITING | PROC_MWAIT_EXITING)))
		insns |= CPUID_INSN_MONITOR;
	out->insns = insns;
	out->cr4 = cr4_fixed1 & ~(uint64_t)CR4_VMXE;
}
