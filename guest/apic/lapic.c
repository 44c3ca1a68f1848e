/*
 * Local APIC access in either mode (SDM vol. 3A 11.4, 11.12): xAPIC registers are 32-bit
 * MMIO at the base IA32_APIC_BASE names (paging is off, so the physical address is used
 * as it is); x2APIC registers are MSRs 0x800 + offset / 16, the ICR one 64-bit MSR.
 */
#include "apic.h"
#include "cpu.h"
#include "msr.h"

bool lapic_x2;
uint32_t lapic_mmio = 0xFEE00000u;
bool cpu_has_x2apic, cpu_has_tsc_deadline;

static volatile uint32_t *reg_ptr(uint32_t reg)
{
	return (volatile uint32_t *)(uintptr_t)(lapic_mmio + reg);
}

uint32_t lapic_read(uint32_t reg)
{
	if (lapic_x2)
		return (uint32_t)rdmsr(MSR_X2APIC_BASE + (reg >> 4));
	return *reg_ptr(reg);
}

void lapic_write(uint32_t reg, uint32_t v)
{
	if (lapic_x2)
		wrmsr(MSR_X2APIC_BASE + (reg >> 4), v);
	else
		*reg_ptr(reg) = v;
}

void lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

uint32_t lapic_id(void)
{
	uint32_t id = lapic_read(LAPIC_ID);
	return lapic_x2 ? id : id >> 24;
}

void lapic_ipi(uint32_t dest, uint32_t icr_lo)
{
	if (lapic_x2) {
		wrmsr(MSR_X2APIC_ICR, (uint64_t)dest << 32 | icr_lo);
		return;
	}
	lapic_write(LAPIC_ICR_HI, dest << 24);
	lapic_write(LAPIC_ICR_LO, icr_lo);
	/* Delivery status (SDM 11.6.1): send pending until the IPI has left. */
	for (unsigned i = 0; i < 100000 && (lapic_read(LAPIC_ICR_LO) & ICR_BUSY); i++)
		__asm__ volatile("pause");
}

bool lapic_vec_bit(uint32_t base_reg, uint8_t vector)
{
	return lapic_read(base_reg + (vector / 32u) * 0x10u) >> (vector % 32u) & 1u;
}

uint64_t apic_base_read(void)
{
	return rdmsr(MSR_APIC_BASE);
}

uint32_t apic_base_write(uint64_t v)
{
	uint32_t vec = wrmsr_safe(MSR_APIC_BASE, v);
	if (!vec)
		lapic_x2 = (v & APIC_BASE_EN) && (v & APIC_BASE_EXTD);
	return vec;
}

void lapic_setup(void)
{
	struct cpuid_regs r = cpuid(1, 0);
	cpu_has_x2apic = r.ecx >> 21 & 1;
	cpu_has_tsc_deadline = r.ecx >> 24 & 1;
	uint64_t base = apic_base_read();
	lapic_mmio = (uint32_t)base & 0xFFFFF000u;
	lapic_x2 = (base & APIC_BASE_EN) && (base & APIC_BASE_EXTD);
	lapic_write(LAPIC_SVR, SVR_ENABLE | VEC_SPURIOUS);
}

void lapic_restore(void)
{
	uint64_t base = apic_base_read();
	uint64_t keep = base & ~(uint64_t)(APIC_BASE_EN | APIC_BASE_EXTD);
	if (!(base & APIC_BASE_EN) || (base & APIC_BASE_EXTD)) {
		/* x2APIC -> xAPIC only through the disabled state (SDM 11.12.5). */
		apic_base_write(keep);
		apic_base_write(keep | APIC_BASE_EN);
	}
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
	lapic_write(LAPIC_TIMER_ICR, 0);
	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_SVR, SVR_ENABLE | VEC_SPURIOUS);
	if (cpu_has_tsc_deadline)
		(void)wrmsr_safe(MSR_TSC_DEADLINE, 0);
	/* A test that failed inside a handler may have left vectors in service. */
	for (unsigned i = 0; i < 256; i++) {
		bool any = false;
		for (uint32_t r = 0; r < 8; r++)
			any |= lapic_read(LAPIC_ISR + r * 0x10) != 0;
		if (!any)
			break;
		lapic_eoi();
	}
}
