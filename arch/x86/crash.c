/* Host exception handler: report, account for the guest on this CPU, park the CPU. */
#include "arch/x86/cpu.h"
#include "arch/x86/crash.h"
#include "arch/x86/msr_index.h"
#include "hv/log.h"
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

void x86_exception(struct exc_frame *f)
{
	struct percpu *pc = this_cpu();
	if (f->vector == 2) {
		/* An NMI that arrived while the hypervisor briefly opened GIF/NMI windows. */
		pc->nmis++;
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
	const char *name = f->vector < 32 ? exc_names[f->vector] : "external interrupt";
	bool held = console_report_begin();
	hv_printf_nolock("\nhv: CRASH on cpu %u (APIC ID %u): vector %llu %s, error code 0x%llx\n",
			 pc->index, pc->apic_id, (unsigned long long)f->vector, name,
			 (unsigned long long)f->error);
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
	if (f->rsp >= pc->stack_base && f->rsp + 64 <= pc->stack_base + HV_STACK_SIZE)
		hv_printf_nolock("  stack %016llx %016llx %016llx %016llx\n",
				 (unsigned long long)sp[0], (unsigned long long)sp[1],
				 (unsigned long long)sp[2], (unsigned long long)sp[3]);
	console_report_end(held);
	/* A CPU that crashed while running an SVM guest has GIF = 0: set it again so SMIs and
	 * NMIs reach it while it is parked (APM vol. 2 15.17; STGI needs EFER.SVME). */
	if (rdmsr(MSR_EFER) & EFER_SVME)
		__asm__ __volatile__("stgi" ::: "memory");
	if (crash_hook)
		crash_hook();
	cpu_park();
}
