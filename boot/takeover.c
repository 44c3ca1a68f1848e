/*
 * After ExitBootServices the hypervisor owns the machine: its own page tables,
 * descriptor tables and stacks; firmware interrupt sources silenced; every AP
 * started with INIT-SIPI-SIPI (APs started by the firmware's MP services do not
 * survive ExitBootServices, see ../shared/PLATFORM.md).
 */
#include "arch/x86/cpu.h"
#include "arch/x86/cpu_stacks.h"
#include "arch/x86/console_irq.h"
#include "arch/x86/host_ioapics.h"
#include "arch/x86/gdb_irq.h"
#include "hv/gdb_stop.h"
#include "arch/x86/cpu_tables.h"
#include "arch/x86/crash.h"
#include "arch/x86/smp.h"
#include "arch/x86/svm/svm.h"
#include "arch/x86/vmx/vmx.h"
#include "boot/boot.h"
#include "boot/efi.h"
#include "drivers/lapic.h"
#include "hv/console.h"
#include "hv/guest_run.h"
#include "hv/log.h"
#include "hv/platform.h"

struct percpu hv_cpus[HV_MAX_CPUS];
uint32_t hv_ncpus;

static struct boot_plan *plan;
static uint64_t host_cr0, host_cr4;
static uint32_t debug_late_ap; /* [hv] debug_late_ap (arch/x86/smp.c) */
static volatile bool on_own_stacks;
static uint32_t debug_irq_cpu = HV_NO_DEBUG_FAULT;
static bool gdb_on; /* the gdb stub listens on COM2 (hv/gdb_stop.h) */

NORETURN void platform_park(void)
{
	cpu_park();
}

NORETURN void platform_finish(enum hv_on_finish how)
{
	/* Runtime services stay callable at their physical addresses: nothing called
	 * SetVirtualAddressMap and the host page tables identity-map all memory. */
	if (how == HV_FINISH_POWEROFF)
		efi_st->RuntimeServices->ResetSystem(EfiResetShutdown, EFI_SUCCESS, 0, NULL);
	else if (how == HV_FINISH_REBOOT)
		efi_st->RuntimeServices->ResetSystem(EfiResetCold, EFI_SUCCESS, 0, NULL);
	cpu_park();
}

void platform_send_nmi(uint32_t apic_id)
{
	lapic_send_nmi(apic_id);
}

void platform_kick(uint32_t apic_id)
{
	lapic_send_fixed(apic_id, HV_KICK_VECTOR);
}

void platform_wait_interrupt(void)
{
	/* STI holds interrupts off for one more instruction (SDM vol. 2B STI): one that is
	 * already pending is taken after HLT begins, so it cannot be missed between the two. */
	__asm__ __volatile__("sti; hlt; cli" ::: "memory");
}

void platform_delay_us(uint64_t us)
{
	udelay(us);
}

uint64_t platform_tsc_khz(void)
{
	return tsc_khz;
}

bool platform_leave_irq_pending(uint8_t vector)
{
	return lapic_leave_pending(vector);
}

/* hv/console.h: which CPU prints, known once every CPU runs on its own stacks (this_cpu()). */
static int console_cpu_index(void)
{
	return on_own_stacks ? (int)this_cpu()->index : -1;
}

/* A hypervisor fault on a CPU ends that CPU's guest, so the others still finish the run. */
static void account_crashed_guest(void)
{
	if (!on_own_stacks)
		return;
	struct percpu *pc = this_cpu();
	struct vcpu *v = pc->vcpu;
	if (v && v->end.kind == GUEST_RUNNING) {
		vcpu_stop(v, "hypervisor fault on cpu %u (crash report above)", pc->index);
		guest_finished(v);
	}
}

/* Nothing the firmware armed or left pending may interrupt a guest: every LVT masked, what
 * is in service or requested ended (SDM vol. 3A 11.5.1, 11.8; docs/interrupts-at-takeover.md).
 * [hv] debug_pending_irq also leaves an interrupt pending here first, for the drain. */
static void silence_local_apic(struct percpu *pc)
{
	lapic_quiesce();
	if (pc->index == debug_irq_cpu)
		lapic_leave_pending(HV_DEBUG_IRQ_VECTOR);
	int left;
	uint64_t taken = pc->host_irqs;
	uint32_t ended = lapic_drain(&left);
	taken = pc->host_irqs - taken;
	if (ended || taken || left >= 0)
		hv_printf("hv: cpu %u: local APIC: %u in-service interrupt(s) ended, %llu pending taken%s\n",
			  pc->index, ended, (unsigned long long)taken,
			  left >= 0 ? ", some still pending" : "");
}

static void cpu_common_init(struct percpu *pc)
{
	write_cr0(host_cr0);
	write_cr4(host_cr4);
	if (cpu_tables_load(pc)) {
		hv_printf("hv: cpu %u: out of memory for its descriptor tables\n", pc->index);
		cpu_park();
	}
	silence_local_apic(pc);
}

static NORETURN void ap_main(struct percpu *pc)
{
	cpu_common_init(pc);
	__atomic_store_n(&pc->online, 1, __ATOMIC_RELEASE);
	guest_run_cpu(pc);
}

static NORETURN void bsp_main(struct percpu *pc)
{
	on_own_stacks = true;
	console_set_cpu_fn(console_cpu_index);
	cpu_common_init(pc);
	lapic_timer_init(); /* every LVT is masked now; the APs are not started yet */
	host_ioapics_quiesce(); /* no device interrupt the firmware left routed */
	console_irq_start(hv_cpus[HV_CONSOLE_CPU].apic_id); /* serial input (hv/console_input.h) */
	if (gdb_on)
		gdb_irq_start(hv_cpus[HV_CONSOLE_CPU].apic_id); /* COM2: the gdb stub */
	pc->online = 1;
	uint32_t up = smp_start_aps(plan->trampoline, plan->host_cr3, (void (*)(struct percpu *))ap_main,
				    debug_late_ap);
	hv_printf("hv: %u of %u CPUs online\n", up + 1, hv_ncpus);
	for (uint32_t i = 1; i < hv_ncpus; i++) {
		struct vcpu *v = hv_cpus[i].vcpu;
		if (!hv_cpus[i].online && v) {
			vcpu_stop(v, "its CPU (APIC ID %u) did not start", hv_cpus[i].apic_id);
			guest_finished(v);
		}
	}
	guest_run_cpu(pc);
}

NORETURN void boot_takeover(struct boot_plan *p, const struct hv_config *cfg)
{
	enum hv_on_finish how = cfg->on_finish;
	plan = p;
	debug_irq_cpu = cfg->debug.pending_irq_cpu;
	debug_late_ap = cfg->debug_late_ap;
	irq_disable();
	write_cr3(p->host_cr3);
	/* Silence the legacy PICs the firmware may have left unmasked. */
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
	host_cr0 = read_cr0();
	host_cr4 = read_cr4();
	if (cpuid(1, 0).ecx & BIT(26))
		host_cr4 |= CR4_OSXSAVE; /* lets the XSETBV handler load a guest's XCR0 */
	/* With CR4.MCE clear a machine check shuts the processor down, which resets the whole
	 * machine; set, it is an #MC on its own stack and a crash report (SDM vol. 3A 2.5, 6.15,
	 * docs/host-faults.md). */
	host_cr4 |= CR4_MCE;
	crash_hook = account_crashed_guest;

	uint32_t vcpus = 0;
	for (uint32_t i = 0; i < hv_ncpus; i++)
		vcpus += hv_cpus[i].vcpu != NULL;
	const struct virt_backend *be = svm_supported() ? &svm_backend : vmx_supported() ? &vmx_backend : NULL;
	if (!be) {
		hv_printf("hv: this CPU has neither SVM with nested paging nor VMX with EPT\n");
		platform_finish(how);
	}
	hv_printf("hv: using %s\n", be->name);
	vmx_debug_msr_lists = cfg->debug.vmx_msr_lists; /* read as each CPU enables VMX */
	if (cfg->debug.vmx_msr_lists && be != &vmx_backend)
		hv_printf("hv: debug_vmx_msr_lists: ignored, this machine uses %s\n", be->name);
	guest_run_init(vcpus, be, how, &cfg->debug);
	gdb_on = gdb_init(cfg, be);
	switch_stack(cpu_main_stack_top(&hv_cpus[0]), bsp_main, &hv_cpus[0]);
}
