/*
 * Local APIC access (Intel SDM vol. 3A 11.4, 11.6, 11.12 for x2APIC; AMD APM vol. 2
 * 16.3-16.11), and silencing what the firmware left in it at takeover
 * (docs/interrupts-at-takeover.md).
 */
#include "arch/x86/cpu.h"
#include "arch/x86/msr_index.h"
#include "arch/x86/smp.h"
#include "drivers/lapic.h"

#define APIC_BASE_X2APIC BIT(10)
#define REG_ID 0x20
#define REG_VERSION 0x30
#define REG_TPR 0x80
#define REG_EOI 0xb0
#define REG_SVR 0xf0
#define REG_ISR 0x100     /* 8 registers of 32 vectors each, 0x10 apart (11.8.4) */
#define REG_IRR 0x200
#define REG_LVT_CMCI 0x2f0
#define REG_ICR_LOW 0x300
#define REG_ICR_HIGH 0x310
#define REG_LVT_TIMER 0x320
#define REG_LVT_THERMAL 0x330
#define REG_LVT_PERF 0x340
#define REG_LVT_LINT0 0x350
#define REG_LVT_LINT1 0x360
#define REG_LVT_ERROR 0x370
#define REG_EXT_FEATURE 0x400 /* AMD extended APIC space (APM vol. 2 16.3.5) */
#define REG_EXT_LVT 0x500     /* AMD extended LVT 0-3 (APM vol. 2 16.4.5) */
#define LVR_MAX_LVT(v) (((v) >> 16) & 0xffu) /* entries - 1 (11.4.8) */
#define LVR_EXT_SPACE BIT(31)                 /* AMD: extended APIC space present */
#define EXT_LVT_COUNT(v) (((v) >> 16) & 0xffu) /* extended feature register XLC */
#define EXT_LVT_MAX 4                         /* 500h-530h; x2APIC MSRs 850h-853h */
#define LVT_MASKED BIT(16)
#define ICR_PENDING BIT(12)
#define ICR_INIT 0x4500   /* INIT, level assert */
#define ICR_STARTUP 0x4600
#define ICR_NMI 0x4400    /* NMI, level assert (SDM vol. 3A 11.6.1) */
#define ICR_FIXED_SELF 0x44000 /* fixed, level assert, destination shorthand "self" (11.6.1) */
#define DRAIN_US 1000          /* how long pending interrupts get to arrive at takeover */
#define TPR_ABOVE_EXCEPTIONS 0x10 /* priority class 1: vectors 16-31 are never delivered */

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

uint32_t lapic_read(uint32_t reg)
{
	return rd(reg);
}

void lapic_write(uint32_t reg, uint32_t v)
{
	wr(reg, v);
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

void lapic_send_fixed(uint32_t apic_id, uint8_t vector)
{
	send_ipi(apic_id, 0x4000u | vector); /* fixed, edge, level assert, physical (11.6.1) */
}

void lapic_send_sipi(uint32_t apic_id, uint8_t vector)
{
	send_ipi(apic_id, ICR_STARTUP | vector);
}

static void mask_lvt(uint32_t reg)
{
	wr(reg, rd(reg) | LVT_MASKED);
}

/*
 * Every LVT entry the CPU has, masked: the Max LVT Entry field of the version register
 * counts them (SDM vol. 3A 11.4.8, 11.5.1): 3 = timer, LINT0, LINT1, error; 4 adds
 * performance monitoring, 5 thermal, 6 CMCI (at 2F0H). An entry the CPU does not have is
 * never touched: in x2APIC mode its MSR would #GP (11.12.1.2). AMD's extended LVTs
 * (machine-check threshold, IBS, ...) follow when the version register says the extended
 * space exists (APM vol. 2 16.3.4, 16.3.5, 16.4.5; bit 31 is reserved, 0, on Intel).
 */
void lapic_quiesce(void)
{
	uint32_t ver = rd(REG_VERSION);
	uint32_t max = LVR_MAX_LVT(ver);
	mask_lvt(REG_LVT_TIMER);
	mask_lvt(REG_LVT_LINT0);
	mask_lvt(REG_LVT_LINT1);
	mask_lvt(REG_LVT_ERROR);
	if (max >= 4)
		mask_lvt(REG_LVT_PERF);
	if (max >= 5)
		mask_lvt(REG_LVT_THERMAL);
	if (max >= 6)
		mask_lvt(REG_LVT_CMCI);
	if (ver & LVR_EXT_SPACE) {
		uint32_t n = MIN(EXT_LVT_COUNT(rd(REG_EXT_FEATURE)), (uint32_t)EXT_LVT_MAX);
		for (uint32_t i = 0; i < n; i++)
			mask_lvt(REG_EXT_LVT + 0x10 * i);
	}
	/* Software-enable the APIC, every LVT masked. An AP the hypervisor started with INIT
	 * has SVR = 0xFF after it (SDM vol. 3A 11.4.7.1): software-disabled, and a disabled
	 * APIC accepts no fixed interrupt (11.4.7.2): neither the host timer nor another
	 * CPU's request (hv/vcpu_request.c) would reach it. Spurious vector 0xFF (its low
	 * four bits set, as older CPUs require: 11.9). */
	wr(REG_SVR, BIT(8) | 0xff);
}

/* The highest vector set in ISR or IRR (REG_ISR / REG_IRR), or -1. Vectors 0-15 are
 * never accepted (11.5.2, illegal vector): their bits are not looked at. */
static int highest_vector(uint32_t base)
{
	for (int i = 7; i >= 0; i--) {
		uint32_t w = rd(base + 0x10 * (uint32_t)i);
		if (i == 0)
			w &= 0xffff0000u;
		if (w)
			return i * 32 + 31 - __builtin_clz(w);
	}
	return -1;
}

/*
 * A host interrupt reached this CPU (through the IDT, or acknowledged by a VMX exit):
 * end it. Accepting a fixed interrupt set its ISR bit, and as interrupts of a higher
 * priority class only could have been accepted after it (11.8.3.1) and the host never
 * nests them (IF = 0 in handlers), the highest ISR bit is that interrupt; an EOI clears it
 * (11.8.5). A spurious interrupt sets no ISR bit and must not be EOIed (11.9).
 */
int lapic_end_host_interrupt(void)
{
	int vector = highest_vector(REG_ISR);
	if (vector >= 0)
		wr(REG_EOI, 0);
	return vector;
}

/*
 * What the firmware left in this local APIC, ended; called with IF = 0 after
 * lapic_quiesce and with the hypervisor's IDT loaded. TPR = 10H for good: an interrupt is
 * delivered only if its priority class (vector bits 7:4) is above the TPR's (11.8.3.1), so
 * vectors 32-255 all are and 16-31, which through the IDT would look like exceptions,
 * never are (0-15 are illegal, 11.5.2). Every in-service interrupt gets its EOI, highest
 * first (11.8.5). Then requested interrupts are let in with IF briefly set (the handler
 * calls lapic_end_host_interrupt): each window is two instructions wide (STI holds
 * interrupts off for one, SDM vol. 2B STI), repeated for up to DRAIN_US. Returns how many
 * EOIs ended in-service interrupts; *left = the highest vector still requested, or -1.
 */
uint32_t lapic_drain(int *left)
{
	uint32_t ended = 0;
	wr(REG_TPR, TPR_ABOVE_EXCEPTIONS);
	while (ended < 256 && highest_vector(REG_ISR) >= 0) {
		wr(REG_EOI, 0);
		ended++;
	}
	uint64_t end = rdtsc() + DRAIN_US * tsc_per_us;
	while (highest_vector(REG_IRR) >= 32 && rdtsc() < end)
		__asm__ __volatile__("sti; nop; cli" ::: "memory");
	*left = highest_vector(REG_IRR);
	return ended;
}

static bool irr_has(uint8_t vector)
{
	return rd(REG_IRR + 0x10 * (uint32_t)(vector / 32)) & BIT(vector % 32);
}

bool lapic_leave_pending(uint8_t vector)
{
	send_ipi(0, ICR_FIXED_SELF | vector);
	for (int i = 0; i < 100000 && !irr_has(vector); i++)
		cpu_relax();
	return irr_has(vector);
}
