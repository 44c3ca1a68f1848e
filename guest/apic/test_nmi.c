/*
 * NMI to self by the ICR (SDM vol. 3A 11.6.1: delivery mode NMI, physical destination =
 * own ID; the self shorthand is not valid for NMI): delivered once, even with IF = 0, and
 * blocked as on hardware (SDM vol. 3A 6.7.1): a second self-NMI sent from inside the NMI
 * handler arrives only after that handler's IRET, never nested inside it.
 */
#include "apic.h"
#include "report.h"

static uint32_t count_in_handler;

static void nmi_hook(uint32_t v)
{
	(void)v;
	if (irqs.count[2] != 1)
		return;
	lapic_ipi(lapic_id(), ICR_NMI);
	/* Exits (xAPIC reads) and time in which a nested NMI would show. */
	for (unsigned i = 0; i < 20; i++)
		(void)lapic_read(LAPIC_ID);
	spin_us(300);
	count_in_handler = irqs.count[2];
}

static void nmi_round(const char *mode)
{
	irqs.count[2] = 0;
	irqs.order_len = 0;
	count_in_handler = 0;
	irq_hooks[2] = nmi_hook;
	lapic_ipi(lapic_id(), ICR_NMI); /* IF = 0 (wait_irq sets it; NMIs do not care) */
	wait_irq(2, 2, 5000);
	spin_us(300);
	irq_hooks[2] = NULL;
	bool seq = irqs.order_len == 4 && irqs.order[0] == 2 && irqs.order[1] == (2 | EV_EXIT) &&
		   irqs.order[2] == 2 && irqs.order[3] == (2 | EV_EXIT);
	note("%s: NMIs taken %u; inside the first handler %u; %u events, sequence %s", mode,
	     irqs.count[2], count_in_handler, irqs.order_len, seq ? "in, out, in, out" : "wrong");
	check(count_in_handler == 1, "nmi: a self-NMI sent inside the NMI handler waits for its IRET");
	check_eq(irqs.count[2], 2, "nmi: both self-NMIs delivered, each once");
	check(seq, "nmi: the second NMI handler ran after the first returned");
	check_eq(irqs.total, 0, "nmi: no maskable interrupt came with them");
}

void test_nmi(void)
{
	nmi_round("xAPIC, IF = 0");
	if (cpu_has_x2apic) {
		check_eq(apic_base_write(apic_base_read() | APIC_BASE_EXTD), 0, "nmi: switch to x2APIC mode");
		lapic_write(LAPIC_SVR, SVR_ENABLE | VEC_SPURIOUS);
		nmi_round("x2APIC, IF = 0");
		lapic_restore();
	}
}
