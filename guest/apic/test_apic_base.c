/*
 * (e) IA32_APIC_BASE and the enable states (SDM vol. 3A 11.4.3, 11.4.4, 11.4.7, 11.12.5;
 * APM vol. 2 16.3): the reset value; reserved bits and the invalid state (EN = 0, EXTD = 1)
 * #GP; global disable (EN = 0: CPUID.1:EDX.APIC reads 0, x2APIC MSRs #GP, disabled ->
 * x2APIC directly #GPs) and re-enable (the state after reset: the hypervisor resets it,
 * the SDM says "may", so on bare metal it is only printed); software disable through SVR
 * (every LVT mask forced and unclearable, kept after re-enable); xAPIC -> x2APIC (ID kept,
 * LDR derived, x2APIC-only rules: read-only and absent registers #GP) and back only
 * through the disabled state, which resets everything but the ID; moving the base #GPs
 * (a decision of the hypervisor; skipped with "native").
 */
#include "apic.h"
#include "cpu.h"
#include "msr.h"
#include "report.h"

#define DEFAULT_BASE 0xFEE00000u

static bool cpuid_apic(void)
{
	return cpuid(1, 0).edx >> 9 & 1;
}

/* SDM 11.4.7.1: the state after power-up or reset (ID and version aside). */
static bool reset_state(const char *when)
{
	uint32_t svr = lapic_read(LAPIC_SVR), tpr = lapic_read(LAPIC_TPR);
	uint32_t lvt = lapic_read(LAPIC_LVT_TIMER), lint0 = lapic_read(LAPIC_LVT_LINT0);
	uint32_t icr = lapic_read(LAPIC_TIMER_ICR), ldr = lapic_read(LAPIC_LDR);
	uint32_t dfr = lapic_x2 ? 0xFFFFFFFFu : lapic_read(LAPIC_DFR);
	note("%s: SVR 0x%x TPR 0x%x LVT timer 0x%x LINT0 0x%x timer initial count %u LDR 0x%x "
	     "DFR 0x%x", when, svr, tpr, lvt, lint0, icr, ldr, dfr);
	return svr == 0xFF && tpr == 0 && lvt == LVT_MASKED && lint0 == LVT_MASKED && icr == 0 &&
	       (lapic_x2 || ldr == 0) && dfr == 0xFFFFFFFFu;
}

static void dirty_state(void)
{
	lapic_write(LAPIC_TPR, 0x20);
	lapic_write(LAPIC_LVT_TIMER, VEC_TIMER | LVT_TIMER_PERIODIC);
	lapic_write(LAPIC_LVT_LINT0, 0x70);
	lapic_write(LAPIC_TIMER_ICR, 0x7FFFFFFF);
	if (!lapic_x2) {
		lapic_write(LAPIC_LDR, 0x05u << 24);
		lapic_write(LAPIC_DFR, 0x0FFFFFFFu);
	}
}

static void global_disable(uint64_t base)
{
	uint32_t id = lapic_id();
	dirty_state();
	check_eq(apic_base_write(base & ~(uint64_t)APIC_BASE_EN), 0, "apic-base: EN = 0 accepted");
	check_eq(apic_base_read() & (APIC_BASE_EN | APIC_BASE_EXTD), 0, "apic-base: reads EN = 0");
	check(!cpuid_apic(), "apic-base: CPUID.1:EDX.APIC reads 0 while globally disabled");
	uint64_t v;
	check_eq(rdmsr_safe(MSR_X2APIC_BASE + 2, &v), VEC_GP, "apic-base: x2APIC MSR #GPs while disabled");
	if (cpu_has_x2apic)
		check_eq(apic_base_write(base | APIC_BASE_EXTD), VEC_GP,
			 "apic-base: disabled -> x2APIC directly #GPs");
	check_eq(apic_base_write(base), 0, "apic-base: EN = 1 accepted");
	check_eq(apic_base_read(), base, "apic-base: reads back after re-enable");
	check(cpuid_apic(), "apic-base: CPUID.1:EDX.APIC reads 1 again");
	check_eq(lapic_id(), id, "apic-base: the APIC ID is kept");
	bool reset = reset_state("after EN = 0, 1");
	check(native || reset, "apic-base: global disable and re-enable reset the APIC");
	lapic_restore();
}

static void software_disable(void)
{
	lapic_write(LAPIC_LVT_TIMER, VEC_TIMER);
	lapic_write(LAPIC_LVT_ERROR, 0x71);
	lapic_write(LAPIC_SVR, VEC_SPURIOUS); /* software disable */
	uint32_t t = lapic_read(LAPIC_LVT_TIMER), e = lapic_read(LAPIC_LVT_ERROR);
	lapic_write(LAPIC_LVT_TIMER, VEC_TIMER);
	uint32_t t2 = lapic_read(LAPIC_LVT_TIMER);
	uint32_t n0 = irqs.count[VEC_TIMER];
	lapic_write(LAPIC_TIMER_DCR, dcr_for(1));
	lapic_write(LAPIC_TIMER_ICR, us_to_bus(100, 1));
	sti();
	spin_us(500);
	cli();
	uint32_t fired = irqs.count[VEC_TIMER] - n0;
	lapic_write(LAPIC_SVR, SVR_ENABLE | VEC_SPURIOUS);
	uint32_t t3 = lapic_read(LAPIC_LVT_TIMER);
	note("SVR software disable: LVT timer 0x%x error 0x%x, after an unmasking write 0x%x, "
	     "%u timer interrupt(s); after re-enable 0x%x", t, e, t2, fired, t3);
	check((t & LVT_MASKED) && (e & LVT_MASKED), "apic-base: software disable masks every LVT entry");
	check(t2 & LVT_MASKED, "apic-base: LVT masks cannot be cleared while software-disabled");
	check_eq(fired, 0, "apic-base: no timer interrupt while software-disabled");
	check(t3 & LVT_MASKED, "apic-base: LVT entries stay masked after software re-enable");
	lapic_write(LAPIC_LVT_TIMER, VEC_TIMER);
	lapic_write(LAPIC_TIMER_ICR, us_to_bus(100, 1));
	/* Whether it fires, not when (test_timer.c times it): a generous budget, since under
	 * QEMU TCG on a loaded host the emulator's own timer thread can run late. */
	check(wait_irq(VEC_TIMER, n0 + 1, 50000), "apic-base: the timer works again once unmasked");
}

static void x2apic_switch(uint64_t base)
{
	if (!cpu_has_x2apic) {
		note("x2APIC not shown in CPUID.1:ECX[21]: mode switches not tested");
		return;
	}
	uint32_t id = lapic_id(), ver = lapic_read(LAPIC_VER);
	check_eq(apic_base_write(base | APIC_BASE_EXTD), 0, "apic-base: xAPIC -> x2APIC accepted");
	uint64_t v;
	check_eq(rdmsr(MSR_X2APIC_BASE + 2), id, "apic-base: x2APIC ID = the xAPIC ID");
	check_eq(rdmsr(MSR_X2APIC_BASE + 3), ver, "apic-base: version unchanged");
	/* SDM 11.12.10.2: logical x2APIC ID = cluster (ID 19:4) << 16 | 1 << ID 3:0. */
	check_eq(rdmsr(MSR_X2APIC_BASE + 0xD), (id >> 4) << 16 | 1u << (id & 15), "apic-base: x2APIC LDR derived from the ID");
	check_eq(wrmsr_safe(MSR_X2APIC_BASE + 0xD, 0), VEC_GP, "apic-base: x2APIC LDR write #GPs");
	check_eq(wrmsr_safe(MSR_X2APIC_BASE + 2, 5), VEC_GP, "apic-base: x2APIC ID write #GPs");
	check_eq(rdmsr_safe(MSR_X2APIC_BASE + 0xE, &v), VEC_GP, "apic-base: no DFR in x2APIC mode (#GP)");
	check_eq(rdmsr_safe(MSR_X2APIC_BASE + 0x31, &v), VEC_GP, "apic-base: no ICR high half in x2APIC mode (#GP)");
	check_eq(rdmsr_safe(MSR_X2APIC_SELF_IPI, &v), VEC_GP, "apic-base: SELF_IPI is write-only (#GP)");
	check_eq(wrmsr_safe(MSR_X2APIC_BASE + 0xB, 1), VEC_GP, "apic-base: a non-zero EOI write #GPs");
	check_eq(wrmsr_safe(MSR_X2APIC_BASE + 8, 0x30), 0, "apic-base: x2APIC TPR write");
	check_eq(rdmsr(MSR_X2APIC_BASE + 8), 0x30, "apic-base: x2APIC TPR reads back");
	check_eq(apic_base_write(base), VEC_GP, "apic-base: x2APIC -> xAPIC directly #GPs");
	check_eq(apic_base_write((base & ~(uint64_t)APIC_BASE_EN) | APIC_BASE_EXTD), VEC_GP,
		 "apic-base: x2APIC -> EN = 0 with EXTD = 1 #GPs");
	check_eq(apic_base_read(), base | APIC_BASE_EXTD, "apic-base: still in x2APIC mode");
	dirty_state();
	check_eq(apic_base_write(base & ~(uint64_t)APIC_BASE_EN), 0, "apic-base: x2APIC -> disabled accepted");
	check_eq(apic_base_write(base), 0, "apic-base: disabled -> xAPIC accepted");
	check_eq(lapic_id(), id, "apic-base: the ID is kept through x2APIC and back");
	bool reset = reset_state("after x2APIC -> disabled -> xAPIC");
	check(native || reset, "apic-base: the way back from x2APIC resets the APIC");
	lapic_restore();
}

void test_apic_base(void)
{
	uint64_t base = apic_base_read();
	note("IA32_APIC_BASE 0x%llx", (unsigned long long)base);
	check_eq(base & ~0xFFFull, DEFAULT_BASE, "apic-base: the base is 0xFEE00000");
	check_eq(base & (APIC_BASE_EN | APIC_BASE_EXTD | APIC_BASE_BSP), APIC_BASE_EN | APIC_BASE_BSP,
		 "apic-base: enabled, xAPIC mode, BSP");
	check_eq(apic_base_write(base), 0, "apic-base: writing the value read back is accepted");
	check_eq(apic_base_write(base | 1), VEC_GP, "apic-base: reserved bit 0 #GPs");
	check_eq(apic_base_write(base | 1u << 9), VEC_GP, "apic-base: reserved bit 9 #GPs");
	check_eq(apic_base_write(base | 1ull << 63), VEC_GP, "apic-base: bit 63 (above MAXPHYADDR) #GPs");
	check_eq(apic_base_write((base & ~(uint64_t)APIC_BASE_EN) | APIC_BASE_EXTD), VEC_GP,
		 "apic-base: xAPIC -> EN = 0 with EXTD = 1 #GPs");
	check_eq(apic_base_read(), base, "apic-base: unchanged after the refused writes");
	if (native) {
		skip("apic-base: moving the base is refused (a hypervisor decision)");
	} else {
		check_eq(apic_base_write((base & 0xFFFu) | 0xFED00000u), VEC_GP,
			 "apic-base: moving the base #GPs (refused by the hypervisor)");
		check_eq(apic_base_read(), base, "apic-base: the base did not move");
	}
	global_disable(base);
	software_disable();
	x2apic_switch(base);
}
