/*
 * One SVM guest: its VMCB, nested page tables and permission maps, set up so
 * the guest starts exactly as a Multiboot v1 loader leaves a kernel (32-bit
 * protected mode, paging off, flat segments; Multiboot spec 3.2).
 */
#include "arch/x86/cpu.h"
#include "arch/x86/efer.h"
#include "arch/x86/guest_ram_map.h"
#include "arch/x86/msr_index.h"
#include "arch/x86/page_table.h"
#include "arch/x86/pat.h"
#include "arch/x86/svm/svm.h"
#include "arch/x86/svm/svm_intercepts.h"
#include "arch/x86/svm/svm_msrpm.h"
#include "hv/fmt.h"
#include "hv/lib.h"
#include "hv/percpu.h"
#include "hv/vcpu.h"

#define ATTR_CODE32 0xc9b /* G, D, P, S, type 0xb (execute/read, accessed) */
#define ATTR_DATA32 0xc93 /* G, B, P, S, type 0x3 (read/write, accessed) */
#define ATTR_TSS32 0x08b  /* P, type 0xb (busy 32-bit TSS) */
#define ATTR_CODE64 0xa9b /* G, L, P, S, type 0xb: 64-bit code (D clear with L, APM vol. 2 4.8.1) */
#define PAT_POWER_ON 0x0007040600070406ull

static struct vmcb_seg seg(uint16_t sel, uint16_t attrib, uint32_t limit)
{
	return (struct vmcb_seg){ sel, attrib, limit, 0 };
}

/*
 * Linux's 64-bit entry (hv/linux_load.h): long mode active with paging, as
 * VMRUN accepts it (APM vol. 2 15.5.1): EFER.LME and LMA with SVME, CR0.PG
 * needs CR0.PE and, with LME, CR4.PAE; CS.L set and CS.D clear. Selectors
 * 0x10 (code) and 0x18 (data) of the loader's GDT, RSI = the zero page.
 */
static void init_long_mode(struct vcpu *v, struct vmcb_save *s)
{
	s->cs = seg(0x10, ATTR_CODE64, 0xffffffffu);
	s->ds = s->es = s->fs = s->gs = s->ss = seg(0x18, ATTR_DATA32, 0xffffffffu);
	s->gdtr = (struct vmcb_seg){ 0, 0, v->boot.gdt_limit, v->boot.gdt_base };
	s->efer = EFER_SVME | EFER_LME | EFER_LMA;
	s->cr0 = CR0_PE | CR0_ET | CR0_PG;
	s->cr4 = CR4_PAE;
	s->cr3 = v->boot.cr3;
	s->rax = 0;
	v->gprs.rax = 0;
	v->gprs.rbx = 0;
	v->gprs.rsi = v->boot.rsi;
}

static void init_state(struct vcpu *v, struct vmcb_save *s)
{
	s->cs = seg(0x08, ATTR_CODE32, 0xffffffffu);
	s->ds = s->es = s->fs = s->gs = s->ss = seg(0x10, ATTR_DATA32, 0xffffffffu);
	s->gdtr = seg(0, 0, 0);
	s->idtr = seg(0, 0, 0x3ff);
	s->tr = seg(0, ATTR_TSS32, 0xffff);
	s->ldtr = seg(0, 0, 0); /* not present: a TI=1 selector faults until the guest loads one */
	s->cpl = 0;
	s->efer = EFER_SVME; /* required in guest EFER (APM vol. 2 15.5.1); hidden from the guest */
	s->cr0 = CR0_PE | CR0_ET;
	s->cr3 = 0;
	s->cr4 = 0;
	s->dr6 = 0xffff0ff0;
	s->dr7 = 0x400;
	s->rflags = 0x2;
	s->rip = v->boot.entry;
	s->rsp = 0;
	s->rax = v->boot.eax;
	s->g_pat = PAT_POWER_ON;
	v->gprs.rax = v->boot.eax;
	v->gprs.rbx = v->boot.mbi_gpa;
	if (v->boot.long_mode)
		init_long_mode(v, s);
}

/* Everything svm_vcpu_create sets up but the allocations: the permission maps (the XFD
 * scheme changes the MSRPM), the whole VMCB from zero (controls, then the entry state;
 * the save area's VMLOAD/VMSAVE part too, so a restarted guest finds FS, GS, TR, LDTR,
 * KERNEL_GS_BASE, STAR, LSTAR, CSTAR, SFMASK and SYSENTER as at its first start) and the
 * event-delivery state (svm_events.c). */
static void vmcb_setup(struct vcpu *v, struct svm_vcpu *s)
{
	svm_msrpm_build((uint8_t *)(uintptr_t)s->msrpm_pa);
	svm_iopm_build((uint8_t *)(uintptr_t)s->iopm_pa);
	memset(s->vmcb, 0, PAGE_SIZE);
	s->nmi_blocked = false;
	memset(&s->step, 0, sizeof(s->step));

	struct vmcb_control *c = &s->vmcb->control;
	bool invlpgb = cpuid(0x80000000u, 0).eax >= 0x80000008u &&
		       (cpuid(0x80000008u, 0).ebx & BIT(3)); /* CPUID 8000_0008 EBX[3] INVLPGB */
	svm_intercepts_init(c, invlpgb);
	c->iopm_base_pa = s->iopm_pa;
	c->msrpm_base_pa = s->msrpm_pa;
	/* One guest per core: ASID 1 on every core, flushed once at the first VMRUN. */
	c->guest_asid = 1;
	c->tlb_control = SVM_TLB_FLUSH_ALL;
	c->np_enable = SVM_NP_ENABLE;
	c->n_cr3 = s->npt_root;
	c->tsc_offset = v->tsc_offset;
	c->clean = 0;
	init_state(v, &s->vmcb->save);
}

int svm_vcpu_create(struct vcpu *v, char *err, size_t errlen)
{
	struct percpu *pc = this_cpu();
	struct svm_vcpu *s = (struct svm_vcpu *)(uintptr_t)page_alloc(&hv_pool, 1, PAGE_SIZE);
	uint64_t vmcb = page_alloc(&hv_pool, 1, PAGE_SIZE);
	uint64_t msrpm = page_alloc(&hv_pool, SVM_MSRPM_SIZE / PAGE_SIZE, PAGE_SIZE);
	uint64_t iopm = page_alloc(&hv_pool, SVM_IOPM_SIZE / PAGE_SIZE, PAGE_SIZE);
	uint64_t npt = pt_new_root(&hv_pool);
	if (!s || !vmcb || !msrpm || !iopm || !npt ||
	    guest_ram_map(&hv_pool, npt, v->mem_hpa, v->mem.size, &pt_format_npt)) {
		hv_snprintf(err, errlen, "out of hypervisor memory for the VMCB and nested page tables");
		return -1;
	}
	s->vmcb = (struct vmcb *)(uintptr_t)vmcb;
	s->vmcb_pa = vmcb;
	s->npt_root = npt;
	s->msrpm_pa = msrpm;
	s->iopm_pa = iopm;
	s->cpu = pc->virt;
	s->nrip = s->cpu->nrip;
	v->arch = s;
	vmcb_setup(v, s);
	return 0;
}

/* A restart (hv/guest_restart.h): the same pages, set up again from v->boot. */
int svm_vcpu_reset(struct vcpu *v, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	vmcb_setup(v, v->arch);
	return 0;
}

void svm_read_mode(struct vcpu *v, struct guest_mode *m)
{
	struct vmcb_save *s = &((struct svm_vcpu *)v->arch)->vmcb->save;
	m->cr0 = s->cr0;
	m->cr3 = s->cr3;
	m->cr4 = s->cr4;
	m->efer = s->efer & ~EFER_SVME;
	m->rflags = s->rflags;
	m->rip = s->rip;
	m->cs_base = s->cs.base;
	m->cpl = s->cpl;
	bool l = s->cs.attrib & BIT(9), db = s->cs.attrib & BIT(10);
	m->cs_bits = (m->efer & EFER_LMA) && l ? 64 : db ? 32 : 16;
}

/* The VMCB's segment (APM vol. 2 15.5.1: attrib is the descriptor's type, S, DPL, P, AVL,
 * L, D/B, G packed into 12 bits), in the VMX access-rights layout the core uses. FS and
 * GS are current only after the slow path's VMSAVE (svm_exit.c), which is where the core
 * asks. */
void svm_read_segment(struct vcpu *v, enum guest_seg seg, struct guest_segment *out)
{
	const struct vmcb_save *s = &((struct svm_vcpu *)v->arch)->vmcb->save;
	const struct vmcb_seg *by_number[] = { &s->es, &s->cs, &s->ss, &s->ds, &s->fs, &s->gs };
	const struct vmcb_seg *g = by_number[seg];
	out->base = g->base;
	out->limit = g->limit;
	out->attr = (uint16_t)((g->attrib & 0xff) | (g->attrib & 0xf00) << 4);
	out->unusable = !(g->attrib & BIT(7));
}

void svm_vcpu_cpuid_caps(struct vcpu *v, struct cpuid_backend_caps *caps)
{
	svm_cpuid_caps(&((struct svm_vcpu *)v->arch)->vmcb->control, caps);
}

void svm_set_intercept(struct vcpu *v, enum intercept_kind what, bool on)
{
	struct svm_vcpu *s = v->arch;
	if (what == INTERCEPT_XFD_WRITE) {
		/* The MSRPM is read from memory on every access: no clean bit covers it. */
		svm_msrpm_set((uint8_t *)(uintptr_t)s->msrpm_pa, MSR_XFD, true, on);
		return;
	}
	if (on)
		s->vmcb->control.intercept_exc |= BIT(7);
	else
		s->vmcb->control.intercept_exc &= ~(uint32_t)BIT(7);
	s->vmcb->control.clean &= ~SVM_CLEAN_INTERCEPTS;
}

int svm_msr_field_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	struct vmcb *vmcb = ((struct svm_vcpu *)v->arch)->vmcb;
	switch (msr) {
	case MSR_EFER:
		*val = vmcb->save.efer & ~EFER_SVME;
		return 0;
	case MSR_PAT:
		*val = vmcb->save.g_pat;
		return 0;
	default:
		return -1;
	}
}

int svm_msr_field_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
	struct vmcb *vmcb = ((struct svm_vcpu *)v->arch)->vmcb;
	switch (msr) {
	case MSR_EFER: {
		/* SVME stays set underneath (APM vol. 2 15.5.1) and hidden from the guest. */
		uint64_t efer;
		if (efer_guest_write(val, vmcb->save.efer & ~EFER_SVME, vmcb->save.cr0 & CR0_PG,
				     cpuid_lookup(&v->cpuid, 0x80000001u, 0).edx, &efer))
			return -1;
		vmcb->save.efer = efer | EFER_SVME;
		vmcb->control.clean &= ~SVM_CLEAN_CR;
		return 0;
	}
	case MSR_PAT:
		if (!pat_valid(val))
			return -1;
		vmcb->save.g_pat = val;
		vmcb->control.clean &= ~SVM_CLEAN_NP;
		return 0;
	case MSR_TSC:
		v->tsc_offset = val - rdtsc();
		vmcb->control.tsc_offset = v->tsc_offset;
		vmcb->control.clean &= ~SVM_CLEAN_INTERCEPTS;
		return 0;
	default:
		return -1;
	}
}

/* [hv] debug_bad_entry. APM vol. 2 15.5.1: VMRUN with EFER.SVME clear in the guest state,
 * or with ASID 0, exits at once with VMEXIT_INVALID. */
void svm_debug_break_entry(struct vcpu *v, bool control)
{
	struct vmcb *vmcb = ((struct svm_vcpu *)v->arch)->vmcb;
	if (control)
		vmcb->control.guest_asid = 0;
	else
		vmcb->save.efer &= ~EFER_SVME;
}
