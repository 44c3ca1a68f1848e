/*
 * Host exception handler: report, account for the guest on this CPU, park the CPU.
 * It may run on the main stack or on the #DF, NMI or #MC stack (cpu_stacks.h); after
 * the report the CPU continues on its main stack, from the top: nothing below will ever
 * be returned to, and a #DF from a stack overflow leaves no room there otherwise.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/cpu_stacks.h"
#include "arch/x86/console_irq.h"
#include "arch/x86/cpu_tables.h"
#include "arch/x86/crash.h"
#include "arch/x86/msr_index.h"
#include "drivers/lapic.h"
#include "hv/console.h"
#include "hv/log.h"
#include "hv/platform.h"
#include "hv/percpu.h"

void (*crash_hook)(void);

extern char ImageBase[]; /* linker.ld: where the firmware loaded hv.efi */

static const char *const exc_names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
	"#BR bound range", "#UD invalid opcode", "#NM device not available", "#DF double fault",
	"coprocessor overrun", "#TS invalid TSS", "#NP segment not present", "#SS stack fault",
	"#GP general protection", "#PF page fault", "reserved 15", "#MF x87 error",
	"#AC alignment check", "#MC machine check", "#XM SIMD error", "#VE virtualization",
	"#CP control protection", "reserved 22", "reserved 23", "reserved 24", "reserved 25",
	"reserved 26", "reserved 27", "#HV hypervisor injection", "#VC VMM communication",
	"#SX security", "reserved 31",
};

/* The CPU whose stack region holds the frame. Found by address, not through this_cpu(): an
 * IST pointer read from a TSS that is not ours (SVM's hot path keeps the guest's TR) would
 * put RSP anywhere, and the word this_cpu() reads would be garbage. */
static struct percpu *cpu_of_frame(const struct exc_frame *f)
{
	uint64_t region = (uint64_t)(uintptr_t)f & ~(uint64_t)(HV_CPU_REGION_SIZE - 1);
	for (uint32_t i = 0; i < hv_ncpus; i++)
		if (hv_cpus[i].stack_region == region)
			return &hv_cpus[i];
	return NULL;
}

static NORETURN void unknown_stack(const struct exc_frame *f)
{
	hv_printf_nolock("\nhv: CRASH on a stack that is no CPU's (frame at 0x%llx): vector %llu, "
			 "rip %016llx, rsp %016llx; CPU parked\n",
			 (unsigned long long)(uintptr_t)f, (unsigned long long)f->vector,
			 (unsigned long long)f->rip, (unsigned long long)f->rsp);
	cpu_park();
}

/* A fault address in a guard page, close to RSP: a stack ran over its end. */
static void report_overflow(const struct percpu *pc, const struct exc_frame *f)
{
	uint64_t cr2 = read_cr2();
	enum cpu_stack s = cpu_stack_guard_at(pc, cr2);
	if ((f->vector != 8 && f->vector != 14) || s == CPU_STACK_COUNT)
		return;
	uint64_t dist = f->rsp > cr2 ? f->rsp - cr2 : cr2 - f->rsp;
	if (dist <= CPU_GUARD_SIZE)
		hv_printf_nolock("hv: host stack overflow on cpu %u: its %s stack ran into the guard "
				 "page at 0x%llx (rsp %016llx, fault address %016llx)\n",
				 pc->index, cpu_stack_name(s),
				 (unsigned long long)(cpu_stack_bottom(pc, s) - CPU_GUARD_SIZE),
				 (unsigned long long)f->rsp, (unsigned long long)cr2);
	else
		hv_printf_nolock("  fault address %016llx is in the guard page of cpu %u's %s stack\n",
				 (unsigned long long)cr2, pc->index, cpu_stack_name(s));
}

/* After the report, on a fresh main stack. */
static NORETURN void crash_finish(struct percpu *pc)
{
	/* On SVM a fault in the hot path leaves the guest's TR loaded: take the host's back
	 * before GIF opens, so an NMI or #MC while parked finds this CPU's own stacks. */
	cpu_tables_load_tr(pc->arch);
	/* A CPU that crashed while running an SVM guest has GIF = 0: set it again so SMIs and
	 * NMIs reach it while it is parked (APM vol. 2 15.17; STGI needs EFER.SVME). */
	if (rdmsr(MSR_EFER) & EFER_SVME)
		__asm__ __volatile__("stgi" ::: "memory");
	if (crash_hook)
		crash_hook();
	cpu_park();
}

void x86_exception(struct exc_frame *f)
{
	struct percpu *pc = cpu_of_frame(f);
	if (!pc)
		unknown_stack(f);
	if (f->vector == 2) {
		/* An NMI that arrived while the hypervisor briefly opened GIF/NMI windows. */
		pc->nmis++;
		return;
	}
	if (f->vector >= 32) {
		/* A maskable interrupt (IDT vectors 32-255), let in on purpose: while draining what
		 * the firmware left in the local APIC (lapic_drain) and, on SVM, in the window after
		 * #VMEXIT(INTR) (svm_exit.c). End it and go on: it was the host's, no guest asked
		 * for it (docs/interrupts-at-takeover.md). */
		/* Every vector from 32 up shares one stub, which pushes 32: the local APIC's ISR
		 * says which it was (lapic_end_host_interrupt). */
		int vector = lapic_end_host_interrupt();
		pc->host_irqs++; /* spurious ones too: svm_exit.c waits for this count to move */
		host_irq_dispatch(vector); /* console input, the host timer's console drain */
		return;
	}
	if (f->vector == 1) {
		/* The hypervisor uses no debug facility (no TF, and VM exits leave DR7 at 400H,
		 * SDM vol. 3C 27.5.1, APM vol. 2 15.6), so a #DB here is a leftover of the
		 * guest's single-stepping (Bochs 2.7 delivers one after a VMRUN whose guest had
		 * TF set). Clear DR6, resume past any instruction breakpoint (RF), go on. */
		__asm__ __volatile__("mov %0, %%dr6" : : "r"(0xffff0ff0ull));
		f->rflags |= BIT(16);
		return;
	}
	const char *name = exc_names[f->vector];
	bool held = console_report_begin();
	hv_printf_nolock("\nhv: CRASH on cpu %u (APIC ID %u): vector %llu %s, error code 0x%llx\n",
			 pc->index, pc->apic_id, (unsigned long long)f->vector, name,
			 (unsigned long long)f->error);
	report_overflow(pc, f);
	uint64_t base = (uint64_t)(uintptr_t)ImageBase;
	hv_printf_nolock("  rip %016llx (addr2line -e build/hv.so 0x%llx)\n", (unsigned long long)f->rip,
			 (unsigned long long)(f->rip - base));
	hv_printf_nolock("  cs %04llx rflags %016llx rsp %016llx ss %04llx\n",
			 (unsigned long long)f->cs,
			 (unsigned long long)f->rflags, (unsigned long long)f->rsp,
			 (unsigned long long)f->ss);
	hv_printf_nolock("  cr0 %016llx cr2 %016llx cr3 %016llx cr4 %016llx\n",
			 (unsigned long long)read_cr0(), (unsigned long long)read_cr2(),
			 (unsigned long long)read_cr3(), (unsigned long long)read_cr4());
	hv_printf_nolock("  rax %016llx rbx %016llx rcx %016llx rdx %016llx\n"
			 "  rsi %016llx rdi %016llx rbp %016llx r8  %016llx\n"
			 "  r9  %016llx r10 %016llx r11 %016llx r12 %016llx\n"
			 "  r13 %016llx r14 %016llx r15 %016llx\n",
			 (unsigned long long)f->rax, (unsigned long long)f->rbx,
			 (unsigned long long)f->rcx, (unsigned long long)f->rdx,
			 (unsigned long long)f->rsi, (unsigned long long)f->rdi,
			 (unsigned long long)f->rbp, (unsigned long long)f->r8,
			 (unsigned long long)f->r9, (unsigned long long)f->r10,
			 (unsigned long long)f->r11, (unsigned long long)f->r12,
			 (unsigned long long)f->r13, (unsigned long long)f->r14,
			 (unsigned long long)f->r15);
	uint64_t *sp = (uint64_t *)(uintptr_t)f->rsp;
	if (cpu_stack_readable(pc, f->rsp, 32))
		hv_printf_nolock("  stack %016llx %016llx %016llx %016llx\n",
				 (unsigned long long)sp[0], (unsigned long long)sp[1],
				 (unsigned long long)sp[2], (unsigned long long)sp[3]);
	console_report_end(held);
	switch_stack(cpu_main_stack_top(pc), crash_finish, pc);
}
