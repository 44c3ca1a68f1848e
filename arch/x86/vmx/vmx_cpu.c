/*
 * Turning VMX on for one CPU (Intel SDM vol. 3C 23.6 "Discovering support for
 * VMX", 23.7 "Enabling and entering VMX operation", 23.8 "Restrictions on VMX
 * operation"), and reading the capability MSRs the controls are computed from.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/msr_index.h"
#include "arch/x86/vmx/vmx.h"
#include "hv/config.h"
#include "hv/fmt.h"
#include "hv/lib.h"
#include "hv/log.h"
#include "hv/page_alloc.h"
#include "hv/percpu.h"

#define CPUID_1_ECX_VMX_BIT BIT(5)

bool vmx_supported(void)
{
	return cpuid(1, 0).ecx & CPUID_1_ECX_VMX_BIT;
}

/* Appendix A.1: with IA32_VMX_BASIC[55] the TRUE MSRs say which default1 controls may be 0. */
static void caps_read(struct vmx_caps *c)
{
	c->basic = rdmsr(MSR_VMX_BASIC);
	bool true_ctls = c->basic & VMX_BASIC_TRUE_CTLS;
	c->pin = rdmsr(true_ctls ? MSR_VMX_TRUE_PINBASED_CTLS : MSR_VMX_PINBASED_CTLS);
	c->proc = rdmsr(true_ctls ? MSR_VMX_TRUE_PROCBASED_CTLS : MSR_VMX_PROCBASED_CTLS);
	c->exit = rdmsr(true_ctls ? MSR_VMX_TRUE_EXIT_CTLS : MSR_VMX_EXIT_CTLS);
	c->entry = rdmsr(true_ctls ? MSR_VMX_TRUE_ENTRY_CTLS : MSR_VMX_ENTRY_CTLS);
	c->misc = rdmsr(MSR_VMX_MISC);
	/* The secondary controls and EPT/VPID MSRs exist only when their parent bit may be 1
	 * (A.3.3, A.10); reading them otherwise would #GP. */
	uint64_t proc = rdmsr(MSR_VMX_PROCBASED_CTLS);
	c->proc2 = (proc >> 32) & PROC_ACTIVATE_SECONDARY ? rdmsr(MSR_VMX_PROCBASED_CTLS2) : 0;
	uint32_t may1_2 = (uint32_t)(c->proc2 >> 32);
	c->ept_vpid = may1_2 & (PROC2_ENABLE_EPT | PROC2_ENABLE_VPID) ? rdmsr(MSR_VMX_EPT_VPID_CAP) : 0;
}

/* Once per boot: EFER and/or PAT go through the MSR autoload lists (vmx_efer_pat.c), and why. */
static void log_msr_lists(const struct percpu *pc, const struct vmx_controls *c)
{
	static bool said;
	if (!(c->efer_lists || c->pat_lists) || __atomic_exchange_n(&said, true, __ATOMIC_SEQ_CST))
		return;
	const char *what = c->efer_lists && c->pat_lists ? "EFER/PAT" : c->efer_lists ? "EFER" : "PAT";
	if (vmx_debug_msr_lists)
		hv_printf("hv: vmx: %s switched through the MSR autoload lists (debug_vmx_msr_lists = %s: "
			  "the CPU's load controls are treated as absent)\n",
			  what, vmx_debug_msr_lists == HV_DEBUG_MSR_LISTS_CHECK ? "check" : "1");
	else
		hv_printf("hv: vmx: %s switched through the MSR autoload lists (cpu %u lacks the %s "
			  "'load IA32_%s' control)\n",
			  what, pc->index, c->efer_lists ? c->efer_missing : c->pat_missing,
			  c->efer_lists ? "EFER" : "PAT");
}

/* 23.7: VMXON needs IA32_FEATURE_CONTROL locked with "VMX outside SMX" enabled. */
static int feature_control(struct percpu *pc, char *err, size_t errlen)
{
	uint64_t fc = rdmsr(MSR_FEATURE_CONTROL);
	if (!(fc & FEATURE_CONTROL_LOCK)) {
		/* Unlocked (firmware left it for us): enable VMX outside SMX and lock it until reset. */
		wrmsr(MSR_FEATURE_CONTROL,
		      fc | FEATURE_CONTROL_LOCK | FEATURE_CONTROL_VMX_OUTSIDE_SMX);
		fc = rdmsr(MSR_FEATURE_CONTROL);
	}
	if (!(fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX)) {
		hv_snprintf(err, errlen,
			    "VMX is disabled by the firmware on cpu %u (IA32_FEATURE_CONTROL 0x%llx is "
			    "locked without 'VMX outside SMX'; enable VT-x in the firmware setup)",
			    pc->index, (unsigned long long)fc);
		return -1;
	}
	return 0;
}

int vmx_cpu_enable(struct percpu *pc, char *err, size_t errlen)
{
	if (!vmx_supported()) {
		hv_snprintf(err, errlen, "VMX is not available on cpu %u (CPUID.1:ECX.VMX = 0)", pc->index);
		return -1;
	}
	if (feature_control(pc, err, errlen))
		return -1;
	struct vmx_cpu *vc = (struct vmx_cpu *)(uintptr_t)page_alloc(&hv_pool, 1, PAGE_SIZE);
	uint64_t vmxon_pa = page_alloc(&hv_pool, 1, PAGE_SIZE);
	if (!vc || !vmxon_pa) {
		hv_snprintf(err, errlen, "out of hypervisor memory enabling VMX on cpu %u", pc->index);
		return -1;
	}
	memset(vc, 0, sizeof(*vc));
	caps_read(&vc->caps);
	uint64_t basic = vc->caps.basic;
	/* A.1: regions are at most 4 KiB, write-back (type 6), and may live anywhere (bit 48 = 0). */
	if (VMX_BASIC_REGION_SIZE(basic) > PAGE_SIZE || VMX_BASIC_MEMTYPE(basic) != 6 ||
	    ((basic & VMX_BASIC_PA_32BIT) && vmxon_pa >> 32)) {
		hv_snprintf(err, errlen, "VMX: unsupported VMCS region (IA32_VMX_BASIC 0x%llx)",
			    (unsigned long long)basic);
		return -1;
	}
	if (vmx_debug_msr_lists)
		vmx_caps_hide_efer_pat_controls(&vc->caps);
	if (vmx_controls_compute(&vc->caps, &vc->ctl, err, errlen))
		return -1;
	vc->check_lists = vmx_debug_msr_lists == HV_DEBUG_MSR_LISTS_CHECK;
	log_msr_lists(pc, &vc->ctl);
	vc->revision = VMX_BASIC_REVISION(basic);
	vc->vmxon_pa = vmxon_pa;

	/* 23.8: CR0 and CR4 bits fixed in VMX operation (A.7, A.8). Set CR4.VMXE first: VMXON
	 * requires it, and it is one of the CR4_FIXED0 bits. */
	vc->cr0_fixed0 = rdmsr(MSR_VMX_CR0_FIXED0);
	vc->cr0_fixed1 = rdmsr(MSR_VMX_CR0_FIXED1);
	vc->cr4_fixed0 = rdmsr(MSR_VMX_CR4_FIXED0);
	vc->cr4_fixed1 = rdmsr(MSR_VMX_CR4_FIXED1);
	uint64_t cr0 = (read_cr0() | vc->cr0_fixed0) & vc->cr0_fixed1;
	uint64_t cr4 = (read_cr4() | CR4_VMXE | vc->cr4_fixed0) & vc->cr4_fixed1;
	if (!(cr4 & CR4_VMXE) || (cr0 & vc->cr0_fixed0) != vc->cr0_fixed0) {
		hv_snprintf(err, errlen, "VMX: CR0/CR4 fixed bits cannot be met on cpu %u", pc->index);
		return -1;
	}
	/* PAE and LA57 cannot be cleared in IA-32e mode (MOV to CR4 #GPs, SDM vol. 3A 4.1.1):
	 * a CPU whose VMX does not allow the firmware's 5-level paging is refused, not faulted. */
	if (read_cr4() & (CR4_PAE | CR4_LA57) & ~cr4) {
		hv_snprintf(err, errlen, "VMX: cpu %u cannot keep CR4.LA57 (5-level paging, left on by "
					 "the firmware) in VMX operation (IA32_VMX_CR4_FIXED1)", pc->index);
		return -1;
	}
	write_cr0(cr0);
	write_cr4(cr4);

	/* 24.11.5: the VMXON region starts with the VMCS revision identifier (bit 31 clear). */
	memset((void *)(uintptr_t)vmxon_pa, 0, PAGE_SIZE);
	*(uint32_t *)(uintptr_t)vmxon_pa = vc->revision;
	if (vmxon(vmxon_pa)) {
		/* 30.3 VMXON: VMfailInvalid for a bad region; VMfailValid cannot occur here (no current VMCS). */
		hv_snprintf(err, errlen, "VMX: VMXON failed on cpu %u (region 0x%llx, revision 0x%x)",
			    pc->index, (unsigned long long)vmxon_pa, vc->revision);
		return -1;
	}
	pc->virt = vc;
	return 0;
}
