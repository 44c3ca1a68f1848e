/*
 * No interrupt reaches the guest unasked: the virtual platform has no interrupt source
 * yet, so with IF = 1 for a while, across many VM exits (each VM entry is a point where a
 * pending interrupt is delivered), no vector 32-255 may arrive. A physical interrupt that
 * leaked through the hypervisor would: [hv] debug_pending_irq leaves one pending in the
 * local APIC at this guest's first VM entry (docs/interrupts-at-takeover.md).
 */
#include "selftest.h"
#include "cpu.h"
#include "printf.h"
#include "trap.h"

#define ROUNDS 2000

void test_interrupts(const struct selftest_env *env)
{
	const char *what = "interrupts: none arrives with IF = 1 over 2000 VM exits";
	group_begin("interrupts");
	if (env->native) { /* plain QEMU: the firmware's timer may be running */
		skip(what);
		group_end();
		return;
	}
	trap_irq.count = 0;
	trap_irq.armed = true;
	__asm__ volatile("sti" ::: "memory");
	for (unsigned i = 0; i < ROUNDS; i++) {
		(void)cpuid(0, 0);
		for (unsigned j = 0; j < 20; j++)
			__asm__ volatile("pause" ::: "memory");
	}
	__asm__ volatile("cli" ::: "memory");
	trap_irq.armed = false;
	if (trap_irq.count)
		printf("selftest:      %u interrupt(s) arrived, the last with vector 0x%x\n",
		       trap_irq.count, trap_irq.vector);
	check_eq(trap_irq.count, 0, what);
	group_end();
}
