/* Local APIC access (Intel SDM vol. 3A 10.4, 10.6, 10.12 for x2APIC). */
#include "arch/x86/cpu.h"
#include "arch/x86/msr_index.h"
#include "drivers/lapic.h"

#define APIC_BASE_X2APIC BIT(10)
#define REG_ID 0x20
#define REG_ICR_LOW 0x300
#define REG_ICR_HIGH 0x310
#define REG_LVT_TIMER 0x320
#define REG_LVT_LINT0 0x350
#define REG_LVT_LINT1 0x360
#define REG_LVT_ERROR 0x370
#define LVT_MASKED BIT(16)
#define ICR_PENDING BIT(12)
#define ICR_INIT 0x4500   /* INIT, level assert */
#define ICR_STARTUP 0x4600
#define ICR_NMI 0x4400    /* NMI, level assert (SDM vol. 3A 11.6.1) */

static bool x2apic;
static volatile uint32_t *mmio;

void lapic_init(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);
	x2apic = base & APIC_BASE_X2APIC;
	mmio = (volatile uint32_t *)(uintptr_t)(base & 0xffffff000ull);
}

static uint32_t rd(uint32_t reg)
{
	return x2apic ? (uint32_t)rdmsr(0x800 + (reg >> 4)) : mmio[reg / 4];
}

static void wr(uint32_t reg, uint32_t v)
{
	if (x2apic)
		wrmsr(0x800 + (reg >> 4), v);
	else
		mmio[reg / 4] = v;
}

uint32_t lapic_id(void)
{
	return x2apic ? rd(REG_ID) : rd(REG_ID) >> 24;
}

static void send_ipi(uint32_t apic_id, uint32_t icr)
{
	if (x2apic) {
		wrmsr(0x830, ((uint64_t)apic_id << 32) | icr);
		return;
	}
	wr(REG_ICR_HIGH, apic_id << 24);
	wr(REG_ICR_LOW, icr);
	for (int i = 0; i < 1000000 && (rd(REG_ICR_LOW) & ICR_PENDING); i++)
		cpu_relax();
}

void lapic_send_init(uint32_t apic_id)
{
	send_ipi(apic_id, ICR_INIT);
}

void lapic_send_nmi(uint32_t apic_id)
{
	send_ipi(apic_id, ICR_NMI);
}

void lapic_send_sipi(uint32_t apic_id, uint8_t vector)
{
	send_ipi(apic_id, ICR_STARTUP | vector);
}

void lapic_quiesce(void)
{
	wr(REG_LVT_TIMER, rd(REG_LVT_TIMER) | LVT_MASKED);
	wr(REG_LVT_LINT0, rd(REG_LVT_LINT0) | LVT_MASKED);
	wr(REG_LVT_LINT1, rd(REG_LVT_LINT1) | LVT_MASKED);
	wr(REG_LVT_ERROR, rd(REG_LVT_ERROR) | LVT_MASKED);
}
