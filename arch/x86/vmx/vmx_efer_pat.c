/*
 * The guest's EFER and PAT under VMX: in their dedicated VMCS fields, or, on CPUs
 * without the "load IA32_EFER"/"load IA32_PAT" controls (older parts, several
 * nested VMX implementations; vmx_controls.c decides), through the MSR autoload
 * lists, as KVM does. Dedicated fields beat the lists, which beat nothing: each
 * list entry costs the CPU about one WRMSR per entry or exit (../shared/seeds/ 003).
 *
 * Fallback. Every guest RDMSR and WRMSR of EFER and PAT exits (hv/msr_policy.c),
 * and EFER.LMA changes only in the CR0.PG emulation (vmx_cr.c), so the guest's
 * values are always known here: guest_efer/guest_pat hold them, the VM-entry
 * MSR-load list entry carries the same value into the CPU (SDM vol. 3C 26.4),
 * and the VM-exit MSR-load list brings the host's back (27.6). The entries are
 * load-only: storing them at exit (27.4) would fetch values already known
 * (vmx_msr_list.h). The VMCS fields GUEST_/HOST_IA32_EFER/PAT are never read
 * or written: they exist only on CPUs with the controls (appendix B).
 *
 * Switched only when guest and host differ in a bit that matters:
 * - EFER.LMA and LME: never through the lists. Without "load IA32_EFER", VM
 *   entry loads both from "IA-32e mode guest" (26.3.2.1) and VM exit from
 *   "host address-space size" (27.5.1). While the guest has paging off, its LME
 *   may differ from the CPU's; it matters only when the guest sets CR0.PG, and
 *   that exits (CR0.PG is host-owned, vmx_cr.c), which sets "IA-32e mode guest".
 * - EFER.SCE: only the guest uses it; the hypervisor never executes SYSCALL or
 *   SYSRET (vmx_exit.c). When nothing else differs it is not switched but left
 *   live in the CPU with the guest's value, as STAR/LSTAR are (KVM leaves it
 *   to its lazy user-return path on the same grounds).
 * - EFER.NXE and any other bit: switched when it differs (the host's own page
 *   tables may use XD, SDM vol. 3A 4.5).
 * - PAT: switched when the values differ at all (the host's mappings use it).
 * So a guest whose EFER differs from the host's only in SCE/LMA/LME and whose
 * PAT is the host's runs with empty lists, at no cost.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/msr_index.h"
#include "arch/x86/vmx/vmx.h"
#include "hv/log.h"
#include "hv/percpu.h"
#include "hv/vcpu.h"

uint8_t vmx_debug_msr_lists;

#define EFER_NOT_SWITCHED (EFER_LMA | EFER_LME | EFER_SCE)

/* debug_vmx_msr_lists = check: say when an MSR comes into the lists or leaves them (rare:
 * only a guest write that changes whether it differs from the host's), so a test can see
 * the lists were used. */
static void note(const struct vmx_vcpu *x, const char *name, bool was, int rc, uint64_t guest,
		 uint64_t host)
{
	if (!x->cpu->check_lists || rc < 0 || (rc == 1) == was)
		return;
	hv_printf("hv: cpu %u: debug_vmx_msr_lists: %s 0x%llx %s (host 0x%llx)\n", this_cpu()->index,
		  name, (unsigned long long)guest,
		  rc ? "now switched through the lists" : "no longer switched", (unsigned long long)host);
}

uint64_t vmx_guest_efer(const struct vmx_vcpu *x)
{
	return x->cpu->ctl.efer_lists ? x->guest_efer : vmread(VMCS_GUEST_EFER);
}

uint64_t vmx_guest_pat(const struct vmx_vcpu *x)
{
	return x->cpu->ctl.pat_lists ? x->guest_pat : vmread(VMCS_GUEST_PAT);
}

int vmx_set_guest_efer(struct vmx_vcpu *x, uint64_t efer)
{
	if (!x->cpu->ctl.efer_lists) {
		vmwrite(VMCS_GUEST_EFER, efer);
		return 0;
	}
	x->guest_efer = efer;
	bool was = vmx_msr_list_find(&x->msrs.guest, MSR_EFER) != NULL;
	int rc = vmx_msr_switch_if_differs(&x->msrs, MSR_EFER, efer, x->host_efer, EFER_NOT_SWITCHED);
	note(x, "EFER", was, rc, efer, x->host_efer);
	if (rc == 0) {
		/* Not switched: the CPU's SCE is the guest's, in and out of the guest. */
		uint64_t now = rdmsr(MSR_EFER);
		if ((now ^ efer) & EFER_SCE)
			wrmsr(MSR_EFER, now ^ EFER_SCE);
	}
	return rc < 0 ? -1 : 0;
}

int vmx_set_guest_pat(struct vmx_vcpu *x, uint64_t pat)
{
	if (!x->cpu->ctl.pat_lists) {
		vmwrite(VMCS_GUEST_PAT, pat);
		return 0;
	}
	x->guest_pat = pat;
	bool was = vmx_msr_list_find(&x->msrs.guest, MSR_PAT) != NULL;
	int rc = vmx_msr_switch_if_differs(&x->msrs, MSR_PAT, pat, x->host_pat, 0);
	note(x, "PAT", was, rc, pat, x->host_pat);
	return rc < 0 ? -1 : 0;
}

/* On the vCPU's own CPU, once its VMCS is current: the host values (read once, as all host
 * state is), then the guest's first values. */
int vmx_efer_pat_init(struct vmx_vcpu *x, uint64_t efer, uint64_t pat)
{
	x->host_efer = rdmsr(MSR_EFER);
	x->host_pat = rdmsr(MSR_PAT);
	if (!x->cpu->ctl.efer_lists)
		vmwrite(VMCS_HOST_EFER, x->host_efer);
	if (!x->cpu->ctl.pat_lists)
		vmwrite(VMCS_HOST_PAT, x->host_pat);
	return vmx_set_guest_efer(x, efer) || vmx_set_guest_pat(x, pat) ? -1 : 0;
}

/* One MSR: in the lists exactly when it must be switched, what the CPU holds now against
 * what the host needs, and what the store area received at exit against what the guest has. */
static int check_one(struct vcpu *v, uint32_t index, const char *name, bool switched,
		     uint64_t host_want, uint64_t guest_want)
{
	struct vmx_vcpu *x = v->arch;
	if (switched != (vmx_msr_list_find(&x->msrs.guest, index) != NULL)) {
		vcpu_stop(v, "debug_vmx_msr_lists: %s 0x%llx is %sin the lists, host 0x%llx", name,
			  (unsigned long long)guest_want, switched ? "not " : "", (unsigned long long)host_want);
		return -1;
	}
	uint64_t now = rdmsr(index);
	if (now != host_want) {
		vcpu_stop(v, "debug_vmx_msr_lists: %s is 0x%llx after a VM exit, the host's is 0x%llx",
			  name, (unsigned long long)now, (unsigned long long)host_want);
		return -1;
	}
	const struct vmx_msr_entry *e = vmx_msr_list_find(&x->msrs.guest, index);
	if (e && e->value != guest_want) {
		vcpu_stop(v, "debug_vmx_msr_lists: the guest ran with %s 0x%llx, its own is 0x%llx", name,
			  (unsigned long long)e->value, (unsigned long long)guest_want);
		return -1;
	}
	return 0;
}

/* With check, the VM-exit MSR-store area covers the load-only entries too (vmx_exit.c), so
 * each entry now holds what the CPU had in the guest (27.4). */
int vmx_efer_pat_check(struct vcpu *v)
{
	struct vmx_vcpu *x = v->arch;
	const struct vmx_controls *c = &x->cpu->ctl;
	if (c->efer_lists) {
		/* Switched: all of the host's EFER is back. Not switched: the guest's SCE stayed. */
		bool sw = (x->guest_efer ^ x->host_efer) & ~(uint64_t)EFER_NOT_SWITCHED;
		uint64_t host = sw ? x->host_efer
				   : (x->host_efer & ~(uint64_t)EFER_SCE) | (x->guest_efer & EFER_SCE);
		if (check_one(v, MSR_EFER, "EFER", sw, host, x->guest_efer))
			return -1;
	}
	if (c->pat_lists &&
	    check_one(v, MSR_PAT, "PAT", x->guest_pat != x->host_pat, x->host_pat, x->guest_pat))
		return -1;
	return 0;
}
