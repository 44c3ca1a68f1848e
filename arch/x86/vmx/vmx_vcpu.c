/*
 * One VMX guest: its VMCS, EPT tables, bitmaps and MSR lists, set up so the
 * guest starts exactly as a Multiboot v1 loader leaves a kernel (32-bit
 * protected mode, paging off, flat segments; Multiboot spec 3.2), the same
 * state arch/x86/svm/svm_vcpu.c builds. Paging off in VMX non-root operation
 * is legal only with "unrestricted guest" (SDM vol. 3C 26.3.1.1).
 *
 * Host state is written once here and never again (the exit path rewrites
 * nothing; HOST_RSP is one exception, see vmx_run.asm, and HOST_RIP while gdb
 * single-steps the guest, switched in the slow path: vmx_gdb.c). The host never
 * uses FS/GS, SYSCALL or SWAPGS, so the guest's KERNEL_GS_BASE, STAR, LSTAR,
 * CSTAR, SFMASK and TSC_AUX simply stay live in the CPU across VM exits (VM
 * exits do not touch them, 27.5), exactly as on SVM (svm_exit.c). EFER and
 * PAT switch through their dedicated VMCS fields or, on CPUs without those,
 * the MSR autoload lists (vmx_efer_pat.c); SYSENTER and FS/GS bases through
 * the guest/host-state areas (26.3.2.1, 27.5.1).
 */
#include "arch/x86/cpu.h"
#include "arch/x86/efer.h"
#include "arch/x86/cpu_tables.h"
#include "arch/x86/guest_ram_map.h"
#include "arch/x86/msr_index.h"
#include "arch/x86/page_table.h"
#include "arch/x86/pat.h"
#include "arch/x86/vmx/vmx.h"
#include "arch/x86/vmx/vmx_msr_bitmap.h"
#include "hv/fmt.h"
#include "hv/lib.h"
#include "hv/percpu.h"
#include "hv/vcpu.h"

/* Access rights, table 24-2: type, S, DPL, P in 7:0; AVL, L, D/B, G in 15:12; unusable 16. */
#define AR_CODE32 0xc09b /* G, D, P, S, type 0xb (execute/read, accessed) */
#define AR_DATA32 0xc093 /* G, B, P, S, type 0x3 (read/write, accessed) */
#define AR_TSS32 0x008b  /* P, type 0xb (busy 32-bit TSS) */
#define AR_LDT 0x0082    /* P, type 0x2 */
#define AR_CODE64 0xa09b /* G, L, P, S, type 0xb: 64-bit code (D/B clear with L, 26.3.1.2) */
#define MSR_LIST_PAGES 2 /* 512 entries: the architectural minimum of IA32_VMX_MISC[27:25] */

struct PACKED desc_ptr {
	uint16_t limit;
	uint64_t base;
};

/* Guest segment register n (ES, CS, SS, DS, FS, GS, LDTR, TR: encodings step by 2, B.1-B.4). */
static void guest_seg(unsigned n, uint16_t sel, uint32_t ar, uint32_t limit)
{
	vmwrite(VMCS_GUEST_ES_SEL + 2 * n, sel);
	vmwrite(VMCS_GUEST_ES_BASE + 2 * n, 0);
	vmwrite(VMCS_GUEST_ES_LIMIT + 2 * n, limit);
	vmwrite(VMCS_GUEST_ES_AR + 2 * n, ar);
}

/*
 * Linux's 64-bit entry (hv/linux_load.h), as svm_vcpu.c's init_long_mode. SDM vol. 3C
 * 26.3.1.1: with "IA-32e mode guest" (set in init_controls) CR0.PG and CR4.PAE must be 1
 * and, with "load IA32_EFER", EFER.LMA = that control and LME = LMA when CR0.PG is set
 * (vmx_efer_pat_init gets LME|LMA); 26.3.1.2: CS.L = 1 with D/B = 0, TR a busy TSS
 * (type 11, kept), LDTR as before. vmx_cr_init adds the fixed CR0/CR4 bits (26.3.1.1).
 */
static void init_long_mode(struct vcpu *v, struct vmx_vcpu *x)
{
	enum { ES, CS, SS, DS, FS, GS };
	guest_seg(CS, 0x10, AR_CODE64, 0xffffffffu);
	for (unsigned n = ES; n <= GS; n++)
		if (n != CS)
			guest_seg(n, 0x18, AR_DATA32, 0xffffffffu);
	vmwrite(VMCS_GUEST_GDTR_BASE, v->boot.gdt_base);
	vmwrite(VMCS_GUEST_GDTR_LIMIT, v->boot.gdt_limit);
	vmx_cr_init(x, CR0_PE | CR0_ET | CR0_PG, CR4_PAE);
	vmwrite(VMCS_GUEST_CR3, v->boot.cr3);
	v->gprs.rax = 0;
	v->gprs.rbx = 0;
	v->gprs.rsi = v->boot.rsi;
}

/* 24.4: the Multiboot entry state, as svm_vcpu.c's init_state. */
static void init_guest_state(struct vcpu *v, struct vmx_vcpu *x)
{
	enum { ES, CS, SS, DS, FS, GS, LDTR, TR };
	guest_seg(CS, 0x08, AR_CODE32, 0xffffffffu);
	for (unsigned n = ES; n <= GS; n++)
		if (n != CS)
			guest_seg(n, 0x10, AR_DATA32, 0xffffffffu);
	guest_seg(LDTR, 0, AR_LDT, 0xffff);
	guest_seg(TR, 0, AR_TSS32, 0xffff);
	vmwrite(VMCS_GUEST_GDTR_BASE, 0);
	vmwrite(VMCS_GUEST_GDTR_LIMIT, 0);
	vmwrite(VMCS_GUEST_IDTR_BASE, 0);
	vmwrite(VMCS_GUEST_IDTR_LIMIT, 0x3ff);
	vmx_cr_init(x, CR0_PE | CR0_ET, 0);
	vmwrite(VMCS_GUEST_CR3, 0);
	vmwrite(VMCS_GUEST_DR7, 0x400);
	vmwrite(VMCS_GUEST_RSP, 0);
	vmwrite(VMCS_GUEST_RIP, v->boot.entry);
	vmwrite(VMCS_GUEST_RFLAGS, 0x2);
	vmwrite(VMCS_GUEST_SYSENTER_CS, 0);
	vmwrite(VMCS_GUEST_SYSENTER_ESP, 0);
	vmwrite(VMCS_GUEST_SYSENTER_EIP, 0);
	vmwrite(VMCS_GUEST_DEBUGCTL, 0);
	/* EFER = 0 and the power-on PAT: vmx_efer_pat_init. */
	/* 24.4.2: active, nothing blocked, no pending debug exceptions, no shadow VMCS (link ~0,
	 * 26.3.1.5). */
	vmwrite(VMCS_GUEST_ACTIVITY_STATE, 0);
	vmwrite(VMCS_GUEST_INTERRUPTIBILITY, 0);
	vmwrite(VMCS_GUEST_PENDING_DBG, 0);
	vmwrite(VMCS_LINK_POINTER, ~0ull);
	v->gprs.rax = v->boot.eax;
	v->gprs.rbx = v->boot.mbi_gpa;
	if (v->boot.long_mode)
		init_long_mode(v, x);
}

/* 24.5 and 26.2.2-26.2.4: what VM exit loads. Selectors from arch/x86/cpu_tables.h. */
static void init_host_state(struct percpu *pc)
{
	struct desc_ptr gdtr, idtr;
	__asm__ __volatile__("sgdt %0; sidt %1" : "=m"(gdtr), "=m"(idtr));
	vmwrite(VMCS_HOST_CR0, read_cr0());
	vmwrite(VMCS_HOST_CR3, read_cr3());
	vmwrite(VMCS_HOST_CR4, read_cr4());
	vmwrite(VMCS_HOST_CS_SEL, SEL_CODE64);
	vmwrite(VMCS_HOST_SS_SEL, SEL_DATA);
	vmwrite(VMCS_HOST_DS_SEL, SEL_DATA);
	vmwrite(VMCS_HOST_ES_SEL, SEL_DATA);
	vmwrite(VMCS_HOST_FS_SEL, 0);
	vmwrite(VMCS_HOST_GS_SEL, 0);
	vmwrite(VMCS_HOST_TR_SEL, SEL_TSS);
	vmwrite(VMCS_HOST_FS_BASE, rdmsr(MSR_FS_BASE));
	vmwrite(VMCS_HOST_GS_BASE, rdmsr(MSR_GS_BASE));
	/* This CPU's own TSS: its IST entries name this CPU's #DF, NMI and #MC stacks, and a
	 * VM exit loads TR from here (limit 67H, busy, 27.5.2), so they serve the exit path. */
	vmwrite(VMCS_HOST_TR_BASE, (uint64_t)(uintptr_t)&((struct cpu_tables *)pc->arch)->tss);
	/* VM exit sets the GDTR and IDTR limits to 0xFFFF (27.5.2): harmless, the host loads
	 * no selector beyond its five GDT slots and takes no vector beyond its 256 gates. */
	vmwrite(VMCS_HOST_GDTR_BASE, gdtr.base);
	vmwrite(VMCS_HOST_IDTR_BASE, idtr.base);
	vmwrite(VMCS_HOST_SYSENTER_CS, rdmsr(MSR_SYSENTER_CS));
	vmwrite(VMCS_HOST_SYSENTER_ESP, rdmsr(MSR_SYSENTER_ESP));
	vmwrite(VMCS_HOST_SYSENTER_EIP, rdmsr(MSR_SYSENTER_EIP));
	/* HOST_EFER/HOST_PAT (or the VM-exit MSR-load list): vmx_efer_pat_init. */
	vmwrite(VMCS_HOST_RIP, (uint64_t)(uintptr_t)vmx_exit_stub);
	/* HOST_RSP: the run loop's frame, written once before VMLAUNCH (vmx_run.asm). */
}

/* 24.6-24.8: the controls computed per CPU, plus the per-vCPU addresses. */
static void init_controls(struct vcpu *v, struct vmx_vcpu *x)
{
	const struct vmx_controls *c = &x->cpu->ctl;
	vmwrite(VMCS_PIN_CONTROLS, c->pin);
	x->proc_controls = c->proc; /* no window exiting yet (vmx_events.c) */
	vmwrite(VMCS_PROC_CONTROLS, x->proc_controls);
	/* No gdb step (vmx_gdb.c): HOST_RIP above is the fast path's entry again. */
	x->gdb_step = x->gdb_step_tf = x->gdb_tf_set = x->gdb_nmi_window = false;
	vmwrite(VMCS_PROC_CONTROLS2, c->proc2);
	vmwrite(VMCS_EXIT_CONTROLS, c->exit);
	/* "IA-32e mode guest" off: a multiboot guest starts in 32-bit mode; on for Linux's
	 * 64-bit entry (init_long_mode). */
	x->entry_controls = c->entry | (v->boot.long_mode ? ENTRY_IA32E_MODE_GUEST : 0);
	vmwrite(VMCS_ENTRY_CONTROLS, x->entry_controls);
	/* Guest exceptions stay in the guest (24.6.3) but #DB and #AC, which exit so a guest
	 * cannot loop on them inside the CPU (hv_handle_exit), and #NM while XFD is live. */
	x->exception_bitmap = BIT(1) | BIT(17);
	vmwrite(VMCS_EXCEPTION_BITMAP, x->exception_bitmap);
	/* Every control field is written: a VMCS region's initial contents are undefined
	 * (24.11.1). PFEC mask = match = 0: with #PF not in the bitmap, no #PF exits (25.2). */
	vmwrite(VMCS_PF_ERROR_MASK, 0);
	vmwrite(VMCS_PF_ERROR_MATCH, 0);
	vmwrite(VMCS_CR3_TARGET_COUNT, 0);
	vmwrite(VMCS_ENTRY_INTR_INFO, 0);
	vmwrite(VMCS_ENTRY_EXCEPTION_ERROR, 0);
	vmwrite(VMCS_ENTRY_INSN_LEN, 0);
	vmwrite(VMCS_IO_BITMAP_A, x->io_bitmap_a_pa);
	vmwrite(VMCS_IO_BITMAP_B, x->io_bitmap_b_pa);
	vmwrite(VMCS_MSR_BITMAP, x->msr_bitmap_pa);
	/* The guest's MOV CR8 reads and writes VTPR in its zeroed virtual-APIC page, never
	 * the physical TPR; threshold 0: no "TPR below threshold" exits (26.2.1.1, 29.1.2). */
	vmwrite(VMCS_VIRTUAL_APIC_ADDR, x->virtual_apic_pa);
	vmwrite(VMCS_TPR_THRESHOLD, 0);
	vmwrite(VMCS_TSC_OFFSET, v->tsc_offset);
	vmwrite(VMCS_EPT_POINTER, x->eptp);
	vmwrite(VMCS_VPID, VPID_GUEST);
	if (c->proc2 & PROC2_ENABLE_XSAVES)
		vmwrite(VMCS_XSS_EXIT_BITMAP, 0); /* 25.1.3: XSAVES/XRSTORS never exit */
	/* MSR autoload areas (24.7.2, 24.8.2): the guest list is both the VM-entry load and
	 * the VM-exit store area (vmx_msr_list.h); counts follow in vmx_msr_lists_sync. */
	uint64_t guest_list = (uint64_t)(uintptr_t)x->msrs.guest.entries;
	vmwrite(VMCS_ENTRY_MSR_LOAD_ADDR, guest_list);
	vmwrite(VMCS_EXIT_MSR_STORE_ADDR, guest_list);
	vmwrite(VMCS_EXIT_MSR_LOAD_ADDR, (uint64_t)(uintptr_t)x->msrs.host.entries);
	vmx_msr_lists_sync(x);
}

/* The per-guest pages as a new guest finds them (the XFD scheme changes the MSR bitmap, the
 * guest's CR8 the virtual-APIC page, EFER/PAT the autoload lists), and the fields cached
 * from the VMCS cleared; the page addresses stay. */
static void pages_setup(struct vmx_vcpu *x)
{
	const struct vmx_vcpu keep = *x;
	memset(x, 0, sizeof(*x));
	x->vmcs_pa = keep.vmcs_pa;
	x->ept_root = keep.ept_root;
	x->eptp = keep.eptp;
	x->msr_bitmap_pa = keep.msr_bitmap_pa;
	x->io_bitmap_a_pa = keep.io_bitmap_a_pa;
	x->io_bitmap_b_pa = keep.io_bitmap_b_pa;
	x->virtual_apic_pa = keep.virtual_apic_pa;
	x->cpu = keep.cpu;
	memset((void *)(uintptr_t)x->virtual_apic_pa, 0, PAGE_SIZE);
	uint32_t cap = MIN(x->cpu->ctl.msr_list_max, MSR_LIST_PAGES * PAGE_SIZE / 16);
	vmx_msr_list_init(&x->msrs.guest, keep.msrs.guest.entries, cap);
	vmx_msr_list_init(&x->msrs.host, keep.msrs.host.entries, cap);
	vmx_msr_bitmap_build((uint8_t *)(uintptr_t)x->msr_bitmap_pa);
	vmx_io_bitmaps_build((uint8_t *)(uintptr_t)x->io_bitmap_a_pa,
			     (uint8_t *)(uintptr_t)x->io_bitmap_b_pa);
}

static int alloc_vcpu(struct vcpu *v, struct vmx_vcpu **out)
{
	struct vmx_vcpu *x = (struct vmx_vcpu *)(uintptr_t)page_alloc(&hv_pool, 1, PAGE_SIZE);
	uint64_t vmcs = page_alloc(&hv_pool, 1, PAGE_SIZE);
	uint64_t msr_bitmap = page_alloc(&hv_pool, 1, PAGE_SIZE);
	uint64_t io = page_alloc(&hv_pool, 2, PAGE_SIZE);
	uint64_t vapic = page_alloc(&hv_pool, 1, PAGE_SIZE);
	uint64_t lists = page_alloc(&hv_pool, 2 * MSR_LIST_PAGES, PAGE_SIZE);
	uint64_t ept = pt_new_root(&hv_pool);
	if (!x || !vmcs || !msr_bitmap || !io || !vapic || !lists || !ept ||
	    guest_ram_map(&hv_pool, ept, v->mem_hpa, v->mem.size, &pt_format_ept))
		return -1;
	memset(x, 0, sizeof(*x));
	x->vmcs_pa = vmcs;
	x->ept_root = ept;
	x->eptp = ept | EPTP_WB | EPTP_WALK_4; /* 24.6.11; no accessed/dirty flags */
	x->msr_bitmap_pa = msr_bitmap;
	x->io_bitmap_a_pa = io;
	x->io_bitmap_b_pa = io + PAGE_SIZE;
	x->virtual_apic_pa = vapic;
	x->cpu = this_cpu()->virt;
	x->msrs.guest.entries = (struct vmx_msr_entry *)(uintptr_t)lists;
	x->msrs.host.entries = (struct vmx_msr_entry *)(uintptr_t)(lists + MSR_LIST_PAGES * PAGE_SIZE);
	pages_setup(x);
	*out = x;
	return 0;
}

/* Everything vmx_vcpu_create sets up on the pages alloc_vcpu found: a VMCS from zero,
 * VMCLEARed and made current (24.2, 24.11.3: it carries the revision identifier, launch
 * state "clear", so the next entry is a VMLAUNCH), controls, host and guest state, EFER
 * and PAT, and no stale translations for this EPTP/VPID (28.3.3.3, 30.3). */
static int vmcs_setup(struct vcpu *v, struct vmx_vcpu *x, char *err, size_t errlen)
{
	memset((void *)(uintptr_t)x->vmcs_pa, 0, PAGE_SIZE);
	*(uint32_t *)(uintptr_t)x->vmcs_pa = x->cpu->revision;
	if (vmclear(x->vmcs_pa) || vmptrld(x->vmcs_pa)) {
		hv_snprintf(err, errlen, "VMX: VMCLEAR/VMPTRLD of the VMCS at 0x%llx failed",
			    (unsigned long long)x->vmcs_pa);
		return -1;
	}
	init_controls(v, x);
	init_host_state(this_cpu());
	init_guest_state(v, x);
	if (vmx_efer_pat_init(x, v->boot.long_mode ? EFER_LME | EFER_LMA : 0, PAT_POWER_ON)) {
		hv_snprintf(err, errlen, "VMX: no room in the MSR autoload lists for EFER and PAT");
		return -1;
	}
	if (vmx_check_insn_failure(err, errlen))
		return -1;
	const struct vmx_controls *c = &x->cpu->ctl;
	int bad = c->invept_single ? invept(INVEPT_SINGLE, x->eptp) : invept(INVEPT_ALL, 0);
	if (!bad)
		bad = vmx_flush_guest_tlb(x);
	if (bad) {
		hv_snprintf(err, errlen, "VMX: INVEPT/INVVPID failed (VM-instruction error %llu)",
			    (unsigned long long)vmread(VMCS_VM_INSTRUCTION_ERROR));
		return -1;
	}
	return 0;
}

int vmx_vcpu_create(struct vcpu *v, char *err, size_t errlen)
{
	struct vmx_vcpu *x;
	if (alloc_vcpu(v, &x)) {
		hv_snprintf(err, errlen, "out of hypervisor memory for the VMCS and EPT tables");
		return -1;
	}
	v->arch = x;
	return vmcs_setup(v, x, err, errlen);
}

/* A restart (hv/guest_restart.h): the same pages, set up again from v->boot. The guest's
 * VMCS was current and launched: VMCLEAR writes back what the CPU cached of it before its
 * memory is rewritten (24.11.1, 24.11.3). */
int vmx_vcpu_reset(struct vcpu *v, char *err, size_t errlen)
{
	struct vmx_vcpu *x = v->arch;
	if (vmclear(x->vmcs_pa)) {
		hv_snprintf(err, errlen, "VMX: VMCLEAR of the VMCS at 0x%llx failed",
			    (unsigned long long)x->vmcs_pa);
		return -1;
	}
	pages_setup(x);
	return vmcs_setup(v, x, err, errlen);
}

void vmx_read_mode(struct vcpu *v, struct guest_mode *m)
{
	struct vmx_vcpu *x = v->arch;
	m->cr0 = vmx_guest_cr0(x);
	m->cr3 = vmread(VMCS_GUEST_CR3);
	m->cr4 = vmx_guest_cr4(x);
	m->efer = vmx_guest_efer(x);
	m->rflags = vmread(VMCS_GUEST_RFLAGS);
	m->rip = vmread(VMCS_GUEST_RIP);
	m->cs_base = vmread(VMCS_GUEST_CS_BASE);
	/* 24.4.1: SS.DPL is the CPL. */
	m->cpl = (vmread(VMCS_GUEST_SS_AR) >> 5) & 3;
	uint64_t cs_ar = vmread(VMCS_GUEST_CS_AR);
	m->cs_bits = (m->efer & EFER_LMA) && (cs_ar & AR_L) ? 64 : (cs_ar & AR_DB) ? 32 : 16;
}

/* A segment's guest-state fields (24.4.1): ES..GS are numbered as the fields are laid out
 * (+2 each), the access rights already in the layout the core uses. */
void vmx_read_segment(struct vcpu *v, enum guest_seg seg, struct guest_segment *out)
{
	(void)v;
	uint64_t ar = vmread(VMCS_GUEST_ES_AR + 2 * (uint32_t)seg);
	out->base = vmread(VMCS_GUEST_ES_BASE + 2 * (uint32_t)seg);
	out->limit = (uint32_t)vmread(VMCS_GUEST_ES_LIMIT + 2 * (uint32_t)seg);
	out->attr = (uint16_t)ar;
	out->unusable = ar & AR_UNUSABLE;
}

void vmx_vcpu_cpuid_caps(struct vcpu *v, struct cpuid_backend_caps *caps)
{
	const struct vmx_cpu *c = ((struct vmx_vcpu *)v->arch)->cpu;
	vmx_cpuid_caps(&c->ctl, c->cr4_fixed1, caps);
}

void vmx_set_intercept(struct vcpu *v, enum intercept_kind what, bool on)
{
	struct vmx_vcpu *x = v->arch;
	if (what == INTERCEPT_XFD_WRITE) {
		/* The MSR bitmap is read from memory on every WRMSR (24.6.9): no VMWRITE needed. */
		vmx_msr_bitmap_set((uint8_t *)(uintptr_t)x->msr_bitmap_pa, MSR_XFD, true, on);
		return;
	}
	/* #NM (vector 7) through the exception bitmap (24.6.3). */
	x->exception_bitmap = on ? x->exception_bitmap | (uint32_t)BIT(7)
				 : x->exception_bitmap & ~(uint32_t)BIT(7);
	vmwrite(VMCS_EXCEPTION_BITMAP, x->exception_bitmap);
}

int vmx_msr_field_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	const struct vmx_vcpu *x = v->arch;
	switch (msr) {
	case MSR_EFER:
		*val = vmx_guest_efer(x);
		return 0;
	case MSR_PAT:
		*val = vmx_guest_pat(x);
		return 0;
	default:
		return -1;
	}
}

int vmx_msr_field_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
	struct vmx_vcpu *x = v->arch;
	switch (msr) {
	case MSR_EFER: {
		/* LMA keeps its value, so the "IA-32e mode guest" control stays consistent. */
		uint64_t efer;
		if (efer_guest_write(val, vmx_guest_efer(x), vmx_guest_cr0(x) & CR0_PG,
				     cpuid_lookup(&v->cpuid, 0x80000001u, 0).edx, &efer))
			return -1;
		if (vmx_set_guest_efer(x, efer))
			vcpu_stop(v, "VMX: no room in the MSR autoload lists for EFER");
		return 0;
	}
	case MSR_PAT:
		if (!pat_valid(val))
			return -1;
		if (vmx_set_guest_pat(x, val))
			vcpu_stop(v, "VMX: no room in the MSR autoload lists for PAT");
		return 0;
	case MSR_TSC:
		/* 25.3: with "use TSC offsetting" the guest reads TSC + offset. */
		v->tsc_offset = val - rdtsc();
		vmwrite(VMCS_TSC_OFFSET, v->tsc_offset);
		return 0;
	default:
		return -1;
	}
}

/* [hv] debug_bad_entry. SDM vol. 3C 26.3.1.1: CR0.PG set with PE clear is invalid guest
 * state even with unrestricted guest (an entry failure, exit reason 33); 26.2.1.1: a
 * CR3-target count above 4 is an invalid control (VMfailValid, VM-instruction error 7). */
void vmx_debug_break_entry(struct vcpu *v, bool control)
{
	(void)v;
	if (control)
		vmwrite(VMCS_CR3_TARGET_COUNT, 5);
	else
		vmwrite(VMCS_GUEST_CR0, (vmread(VMCS_GUEST_CR0) | CR0_PG) & ~(uint64_t)CR0_PE);
}

int vmx_flush_guest_tlb(const struct vmx_vcpu *x)
{
	/* vmx_controls_compute requires INVVPID with the single-context or all-context type. */
	return x->cpu->ctl.invvpid_single ? invvpid(INVVPID_SINGLE, VPID_GUEST) : invvpid(INVVPID_ALL, 0);
}
