/* AP start-up: INIT-SIPI-SIPI per Intel SDM vol. 3A 8.4.4.1 (the "universal" algorithm). */
#include "arch/x86/cpu.h"
#include "arch/x86/msr_index.h"
#include "arch/x86/smp.h"
#include "drivers/lapic.h"
#include "hv/lib.h"
#include "hv/log.h"

/* Must match the parameter block at the start of arch/x86/trampoline.nasm. */
struct PACKED trampoline_params {
	uint16_t jmp;
	uint8_t pad[6];
	uint64_t cr3, stack, entry, arg, efer;
};

extern const uint8_t trampoline_blob[], trampoline_blob_end[];

uint64_t tsc_per_us = 1000;

void udelay(uint64_t us)
{
	uint64_t end = rdtsc() + us * tsc_per_us;
	while (rdtsc() < end)
		cpu_relax();
}

static bool wait_online(struct percpu *pc, uint64_t us)
{
	uint64_t end = rdtsc() + us * tsc_per_us;
	while (rdtsc() < end) {
		if (__atomic_load_n(&pc->online, __ATOMIC_ACQUIRE))
			return true;
		cpu_relax();
	}
	return __atomic_load_n(&pc->online, __ATOMIC_ACQUIRE);
}

uint32_t smp_start_aps(uint64_t trampoline_page, uint64_t cr3, void (*entry)(struct percpu *))
{
	size_t len = (size_t)(trampoline_blob_end - trampoline_blob);
	uint8_t *page = (uint8_t *)(uintptr_t)trampoline_page;
	struct trampoline_params *tp = (struct trampoline_params *)page;
	uint32_t started = 0;

	for (uint32_t i = 1; i < hv_ncpus; i++) {
		struct percpu *pc = &hv_cpus[i];
		/* Fresh copy each time: the trampoline patches its own far pointers. */
		memcpy(page, trampoline_blob, len);
		tp->cr3 = cr3;
		tp->stack = pc->stack_base + HV_STACK_SIZE - 16;
		tp->entry = (uint64_t)(uintptr_t)entry;
		tp->arg = (uint64_t)(uintptr_t)pc;
		tp->efer = rdmsr(MSR_EFER) & EFER_NXE;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);

		lapic_send_init(pc->apic_id);
		udelay(10000);
		for (int sipi = 0; sipi < 2 && !pc->online; sipi++) {
			lapic_send_sipi(pc->apic_id, (uint8_t)(trampoline_page >> 12));
			udelay(200);
		}
		if (wait_online(pc, 500000))
			started++;
		else
			hv_printf("hv: cpu %u (APIC ID %u) did not start\n", i, pc->apic_id);
	}
	return started;
}
