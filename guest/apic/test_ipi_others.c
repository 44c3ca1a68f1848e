/*
 * (d) IPIs aimed at other CPUs (SDM vol. 3A 11.6.1): fixed, NMI, INIT (assert and the
 * level de-assert), and start-up IPIs by the all-excluding-self shorthand, to every other
 * physical APIC ID, and to logical destinations that leave this CPU out, in xAPIC and (when
 * CPUID shows it) x2APIC mode, with IF = 1. Nothing may arrive here; under the hypervisor
 * they must also never reach another core, whose guest keeps running and passes (the
 * emulator case checks that). Then all-including-self must still deliver the self part.
 * On bare metal the other CPUs really get them: a start-up IPI sends them to a page of
 * CLI; HLT below 1 MiB.
 */
#include "apic.h"
#include "cpu.h"
#include "report.h"

#define SIPI_PAGE 0x8000u
#define VEC_OTHERS 0x60
#define SWEEP_MIN_US 250000u

static const uint32_t kinds[] = {
	ICR_FIXED | VEC_OTHERS,
	ICR_NMI,
	ICR_INIT | ICR_ASSERT | ICR_LEVEL,
	ICR_INIT | ICR_LEVEL, /* INIT level de-assert */
	ICR_SIPI | (SIPI_PAGE >> 12),
};

static uint32_t sent;

static void send_all_kinds(uint32_t dest, uint32_t flags)
{
	for (unsigned k = 0; k < ARRAY_SIZE(kinds); k++) {
		lapic_ipi(dest, kinds[k] | flags);
		sent++;
	}
}

/* One sweep in the current mode; `self` is this CPU's ID, `max_id` the highest to try. */
static void sweep(uint32_t self, uint32_t max_id, uint32_t logical_others)
{
	send_all_kinds(0, ICR_ALL_EXCL);
	for (uint32_t id = 0; id <= max_id; id++)
		if (id != self)
			send_all_kinds(id, 0);
	send_all_kinds(logical_others, ICR_LOGICAL);
}

static void expect_nothing(const char *mode, uint32_t sent_before)
{
	spin_us(500);
	note("%s: %u IPIs to other CPUs sent (all-excluding-self, physical IDs, logical); "
	     "%u interrupt(s) and %u NMI(s) arrived here", mode, sent - sent_before, irqs.total,
	     irqs.count[2]);
	check_eq(irqs.total, 0, "ipi-others: no interrupt arrives here");
	check_eq(irqs.count[2], 0, "ipi-others: no NMI arrives here");
}

void test_ipi_others(void)
{
	/* CLI; HLT; JMP $-2: where a real CPU woken by the start-up IPI would go. */
	volatile uint8_t *page = (volatile uint8_t *)(uintptr_t)SIPI_PAGE;
	page[0] = 0xFA; page[1] = 0xF4; page[2] = 0xEB; page[3] = 0xFD;

	uint32_t self = lapic_id();
	sent = 0;
	sti();
	lapic_write(LAPIC_DFR, 0xFFFFFFFFu);
	lapic_write(LAPIC_LDR, 0x01u << 24);
	/* At least 2 rounds and 1 s (250 ms of Bochs's slower emulated time with "exact-time"),
	 * so the other cores' guests, started one after another, run while the IPIs go out. */
	uint64_t until = rdtsc() + us_to_tsc(exact_time ? SWEEP_MIN_US : 4 * SWEEP_MIN_US);
	unsigned rounds = 0;
	do {
		sweep(self, 0xFE, 0xFE); /* 0xFF is the broadcast: it includes self, see below */
		rounds++;
	} while (rounds < 2 || rdtsc() < until);
	note("xAPIC: %u rounds", rounds);
	expect_nothing("xAPIC", 0);

	uint32_t n0 = irqs.count[0x61];
	lapic_ipi(0, ICR_ALL_INCL | 0x61);
	wait_irq(0x61, n0 + 1, 2000);
	spin_us(300);
	check_eq(irqs.count[0x61] - n0, 1, "ipi-others: all-including-self delivers the self part once");
	irqs.total = 0;
	sti();

	if (cpu_has_x2apic) {
		check_eq(apic_base_write(apic_base_read() | APIC_BASE_EXTD), 0,
			 "ipi-others: switch to x2APIC mode");
		lapic_write(LAPIC_SVR, SVR_ENABLE | VEC_SPURIOUS);
		uint32_t before = sent;
		self = lapic_id();
		/* Physical IDs up to 0x1FF, and cluster 0 without this CPU's bit plus cluster 1. */
		uint32_t ldr = lapic_read(LAPIC_LDR);
		sweep(self, 0x1FF, (ldr & 0xFFFF0000u) | (0xFFFFu & ~ldr));
		send_all_kinds(0x0001FFFFu, ICR_LOGICAL);
		expect_nothing("x2APIC", before);
		lapic_restore();
	}
	cli();
}
