/*
 * (a) The APIC timer (SDM vol. 3A 11.5.4; APM vol. 2 16.4): one-shot at two divide values,
 * periodic, TSC-deadline, and a masked one-shot. Each interrupt's arrival is timed against
 * the TSC: never early (the count runs at bus_khz / divide, the deadline against the TSC
 * itself), and late by at most a quarter of the programmed time plus TIMER_SLACK_US (an
 * emulator's host may deschedule the vCPU). The current-count register must count down.
 */
#include "apic.h"
#include "cpu.h"
#include "msr.h"
#include "report.h"

#define TIMER_SLACK_US 3000u

/* elapsed TSC ticks against `us` expected: [us - 2%, us * 5/4 + slack + stalls]. */
static bool in_window(uint64_t elapsed, uint32_t us)
{
	uint64_t lo = us_to_tsc(us - us / 50);
	uint64_t hi = us_to_tsc(us + us / 4 + TIMER_SLACK_US + wait_stall_us);
	return elapsed >= lo && elapsed <= hi;
}

/*
 * The current count read between TSC reads before and after must match the time since the
 * initial count was written (between t0a and t0b): count - elapsed * bus / TSC / divide,
 * within 2% of the count (and 0 once that reaches 0). Stall-proof: it compares with the
 * TSC, not with a wait.
 */
static bool ccr_consistent(uint32_t count, uint32_t divide, uint64_t t0a, uint64_t t0b,
			   uint32_t *ccr_out)
{
	uint64_t before = rdtsc();
	uint32_t ccr = lapic_read(LAPIC_TIMER_CCR);
	uint64_t after = rdtsc();
	*ccr_out = ccr;
	uint32_t scale = (uint32_t)udiv64((uint64_t)tsc_khz * divide, 1);
	uint64_t most = udiv64((before - t0b) * bus_khz, scale); /* bus ticks elapsed, at least */
	uint64_t least = udiv64((after - t0a) * bus_khz, scale); /* ... at most */
	uint64_t hi = most >= count ? 0 : count - most, lo = least >= count ? 0 : count - least;
	uint32_t tol = count / 50 + 2;
	return ccr + tol >= lo && ccr <= hi + tol;
}

static void one_shot(uint32_t divide, uint32_t us)
{
	uint32_t count = us_to_bus(us, divide), n0 = irqs.count[VEC_TIMER];
	lapic_write(LAPIC_TIMER_ICR, 0);
	lapic_write(LAPIC_TIMER_DCR, dcr_for(divide));
	lapic_write(LAPIC_LVT_TIMER, VEC_TIMER); /* one-shot, unmasked */
	uint64_t t0 = rdtsc();
	lapic_write(LAPIC_TIMER_ICR, count);
	uint64_t t0b = rdtsc();
	uint32_t c[3];
	bool consistent = true;
	for (unsigned i = 0; i < 3; i++) {
		consistent &= ccr_consistent(count, divide, t0, t0b, &c[i]);
		spin_us(us / 8);
	}
	bool arrived = wait_irq(VEC_TIMER, n0 + 1, 4 * us + TIMER_SLACK_US);
	uint64_t elapsed = irqs.last_tsc - t0;
	note("one-shot, divide %u: initial count %u (%u us); current count %u, %u, %u; "
	     "interrupt after %u us (%u us stalled)", divide, count, us, c[0], c[1], c[2],
	     arrived ? tsc_to_us(elapsed) : 0, wait_stall_us);
	/* (All three may read 0 when the emulator's host stalled this vCPU past the expiry:
	 * ccr_consistent checks them against the TSC.) */
	check(c[0] <= count && c[1] <= c[0] && c[2] <= c[1] && (c[2] < c[0] || c[0] == 0),
	      "timer: the current count decreases from the initial count");
	check(consistent, "timer: the current count matches the TSC time since it was loaded");
	check(arrived, "timer: the one-shot interrupt arrived");
	check(arrived && in_window(elapsed, us), "timer: one-shot interrupt on time (never early)");
	spin_us(us);
	check_eq(irqs.count[VEC_TIMER], n0 + 1, "timer: one-shot fires once");
	check_eq(lapic_read(LAPIC_TIMER_CCR), 0, "timer: current count 0 after the one-shot");
	check_eq(lapic_read(LAPIC_TIMER_ICR), count, "timer: initial count reads back");
}

static void periodic(uint32_t divide, uint32_t us, uint32_t n)
{
	uint32_t count = us_to_bus(us, divide), n0 = irqs.count[VEC_TIMER];
	lapic_write(LAPIC_TIMER_ICR, 0); /* stop the last timer before changing its mode */
	lapic_write(LAPIC_TIMER_DCR, dcr_for(divide));
	lapic_write(LAPIC_LVT_TIMER, VEC_TIMER | LVT_TIMER_PERIODIC);
	uint64_t t0 = rdtsc();
	lapic_write(LAPIC_TIMER_ICR, count);
	bool arrived = wait_irq(VEC_TIMER, n0 + n, 2 * n * us + TIMER_SLACK_US);
	uint64_t elapsed = irqs.last_tsc - t0;
	uint32_t ccr = lapic_read(LAPIC_TIMER_CCR);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
	lapic_write(LAPIC_TIMER_ICR, 0);
	note("periodic, divide %u: %u us period, %u interrupts in %u us (expected %u us, %u us "
	     "stalled); current count %u of %u", divide, us, irqs.count[VEC_TIMER] - n0,
	     tsc_to_us(elapsed), n * us, wait_stall_us, ccr, count);
	check(arrived, "timer: periodic interrupts arrived");
	check(arrived && in_window(elapsed, n * us), "timer: periodic interrupts keep the period");
	check(ccr > 0 && ccr <= count, "timer: periodic mode reloads the current count");
}

static void masked(void)
{
	uint32_t n0 = irqs.count[VEC_TIMER];
	lapic_write(LAPIC_TIMER_DCR, dcr_for(1));
	lapic_write(LAPIC_LVT_TIMER, VEC_TIMER | LVT_MASKED);
	lapic_write(LAPIC_TIMER_ICR, us_to_bus(200, 1));
	sti();
	spin_us(1000);
	cli();
	check_eq(irqs.count[VEC_TIMER], n0, "timer: a masked timer raises no interrupt");
	check_eq(lapic_read(LAPIC_TIMER_CCR), 0, "timer: a masked one-shot still counts down to 0");
	check(!lapic_vec_bit(LAPIC_IRR, VEC_TIMER), "timer: a masked timer requests nothing");
}

static void tsc_deadline(uint32_t us)
{
	if (!cpu_has_tsc_deadline) {
		note("TSC-deadline mode: not shown in CPUID.1:ECX[24]");
		check(native, "timer: TSC-deadline mode shown in CPUID (the hypervisor always emulates it)");
		return;
	}
	lapic_write(LAPIC_LVT_TIMER, VEC_TIMER | LVT_TIMER_TSC_DEADLINE);
	/* SDM 11.5.4.1: in TSC-deadline mode initial-count writes are ignored, CCR reads 0. */
	lapic_write(LAPIC_TIMER_ICR, 12345);
	check_eq(lapic_read(LAPIC_TIMER_CCR), 0, "timer: TSC-deadline mode: the current count reads 0");
	uint32_t late_max = 0, early = 0, lost = 0, stalls = 0;
	for (unsigned i = 0; i < 5; i++) {
		uint32_t n0 = irqs.count[VEC_TIMER];
		uint64_t dl = rdtsc() + us_to_tsc(us);
		wrmsr(MSR_TSC_DEADLINE, dl);
		bool armed_reads = rdmsr(MSR_TSC_DEADLINE) == dl;
		bool arrived = wait_irq(VEC_TIMER, n0 + 1, 4 * us + TIMER_SLACK_US);
		stalls = wait_stall_us > stalls ? wait_stall_us : stalls;
		if (!arrived || !armed_reads) {
			lost++;
			continue;
		}
		if (irqs.last_tsc < dl)
			early++;
		uint32_t late = tsc_to_us(irqs.last_tsc - dl);
		late_max = late > late_max ? late : late_max;
		if (rdmsr(MSR_TSC_DEADLINE) != 0)
			lost++;
	}
	note("TSC-deadline: 5 deadlines %u us ahead: %u missed or misread, %u early, latest %u us "
	     "late (longest stall %u us)", us, lost, early, late_max, stalls);
	check_eq(lost, 0, "timer: every TSC deadline fired, and the MSR read the deadline, then 0");
	check_eq(early, 0, "timer: no TSC-deadline interrupt before its deadline");
	check(late_max <= us / 4 + TIMER_SLACK_US + stalls, "timer: TSC-deadline interrupts on time");

	uint32_t n0 = irqs.count[VEC_TIMER];
	wrmsr(MSR_TSC_DEADLINE, rdtsc() + us_to_tsc(us));
	wrmsr(MSR_TSC_DEADLINE, 0);
	sti();
	spin_us(2 * us);
	cli();
	check_eq(irqs.count[VEC_TIMER], n0, "timer: writing 0 disarms the TSC deadline");
	wrmsr(MSR_TSC_DEADLINE, 1); /* long past */
	check(wait_irq(VEC_TIMER, n0 + 1, TIMER_SLACK_US), "timer: a deadline in the past fires at once");
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
}

void test_timer(void)
{
	one_shot(1, 4000);
	one_shot(16, 3000);
	one_shot(128, 2000);
	periodic(4, 1000, 10);
	masked();
	tsc_deadline(2000);
}
