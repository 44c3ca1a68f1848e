/*
 * The host timer: this CPU's own local APIC timer, one interrupt at a host TSC deadline
 * (platform_timer_arm, hv/platform.h), vector HV_TIMER_VECTOR. hv/vintr.c arms it to the
 * guest's next virtual APIC timer deadline; the interrupt reaches the host's handler
 * (arch/x86/crash.c: ended and counted) or, while the guest runs, exits as EXIT_HOST_IRQ
 * (SVM INTR intercept, VMX external-interrupt exiting), and the slow path then delivers
 * the guest's timer interrupt.
 *
 * Two modes (SDM vol. 3A 11.5.4, APM vol. 2 16.4.1):
 * - TSC-deadline where CPUID.1:ECX[24] says the CPU has it (SDM 11.5.4.1): the LVT timer
 *   in mode 10b, then IA32_TSC_DEADLINE = the deadline; the timer fires when the TSC
 *   reaches it, and writing 0 disarms it. QEMU's APIC emulates it; AMD CPUs (and Bochs
 *   ryzen) lack it.
 * - one-shot elsewhere: the initial count = the time left in timer ticks, measured at
 *   takeover against the TSC (lapic_timer_init), rounded up with a margin of 1/256 so the
 *   interrupt never comes before the deadline; the divide configuration is the smallest
 *   that fits the 32-bit count. A deadline beyond the largest count fires at that count,
 *   and the caller is told (the earlier expiry returned) so it arms again.
 * Between arms the LVT entry is masked, as lapic_quiesce left it at takeover.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/msr_index.h"
#include "arch/x86/smp.h"
#include "drivers/lapic.h"
#include "hv/log.h"
#include "hv/platform.h"

#define REG_LVT_TIMER 0x320
#define REG_TIMER_ICR 0x380
#define REG_TIMER_CCR 0x390
#define REG_TIMER_DCR 0x3e0
#define LVT_MASKED BIT(16)
#define LVT_ONE_SHOT (0u << 17)
#define LVT_TSC_DEADLINE (2u << 17)
#define CALIBRATE_US 10000
#define DCR_MAX_SHIFT 7 /* divide by 128 */

static bool deadline_mode;
static uint64_t ticks_per_ms; /* timer input clock, divide by 1, in ticks per millisecond */

/* The divide configuration register's encoding of 2^shift (SDM vol. 3A figure 11-10):
 * bits 3, 1:0 = 000 for 2, 001 for 4, 010 for 8, 011 for 16, 100 for 32, 101 for 64,
 * 110 for 128, 111 for 1. */
static uint32_t dcr_of(unsigned shift)
{
	uint32_t code = shift == 0 ? 7 : shift - 1;
	return (code & 3) | ((code & 4) << 1);
}

void lapic_timer_init(void)
{
	deadline_mode = cpuid(1, 0).ecx & BIT(24);
	if (deadline_mode) {
		hv_printf("hv: host timer: local APIC timer, TSC-deadline mode, vector 0x%x\n",
			  HV_TIMER_VECTOR);
		return;
	}
	/* One-shot: count down from the largest count for CALIBRATE_US, masked. */
	lapic_write(REG_LVT_TIMER, LVT_MASKED | LVT_ONE_SHOT | HV_TIMER_VECTOR);
	lapic_write(REG_TIMER_DCR, dcr_of(0));
	lapic_write(REG_TIMER_ICR, 0xffffffffu);
	uint64_t t0 = rdtsc();
	udelay(CALIBRATE_US);
	uint32_t left = lapic_read(REG_TIMER_CCR);
	uint64_t tsc = rdtsc() - t0;
	lapic_write(REG_TIMER_ICR, 0);
	uint64_t ticks = 0xffffffffu - left;
	ticks_per_ms = tsc ? ticks * tsc_per_us * 1000 / tsc : 0;
	if (!ticks_per_ms)
		ticks_per_ms = 1;
	hv_printf("hv: host timer: local APIC timer, one-shot mode (%llu kHz), vector 0x%x\n",
		  (unsigned long long)ticks_per_ms, HV_TIMER_VECTOR);
}

static void disarm(void)
{
	lapic_write(REG_LVT_TIMER, LVT_MASKED | (deadline_mode ? LVT_TSC_DEADLINE : LVT_ONE_SHOT) |
					   HV_TIMER_VECTOR);
	if (deadline_mode)
		wrmsr(MSR_TSC_DEADLINE, 0);
	else
		lapic_write(REG_TIMER_ICR, 0);
}

uint64_t platform_timer_arm(uint64_t host_tsc_deadline)
{
	if (!host_tsc_deadline) {
		disarm();
		return 0;
	}
	if (deadline_mode) {
		/* The mode first: IA32_TSC_DEADLINE writes are ignored in any other mode, and a
		 * fence orders the xAPIC MMIO write before the WRMSR (SDM vol. 3A 11.5.4.1). */
		lapic_write(REG_LVT_TIMER, LVT_TSC_DEADLINE | HV_TIMER_VECTOR);
		__asm__ __volatile__("mfence" ::: "memory");
		wrmsr(MSR_TSC_DEADLINE, host_tsc_deadline);
		return host_tsc_deadline;
	}
	uint64_t now = rdtsc(), tsc_per_ms = tsc_per_us * 1000;
	uint64_t left = host_tsc_deadline > now ? host_tsc_deadline - now : 0;
	/* The longest wait one count can give (divide by 128), with the margin kept out. */
	uint64_t reach = ((0xffffffffull << DCR_MAX_SHIFT) / ticks_per_ms) * tsc_per_ms;
	reach -= reach / 64;
	uint64_t expiry = host_tsc_deadline;
	if (left > reach) {
		left = reach;
		expiry = now + reach;
	}
	/* ticks = ceil(left * ticks_per_ms / tsc_per_ms) + 1/256 margin; no overflow: left is
	 * at most reach, below 2^39 ticks worth of TSC. */
	uint64_t ticks = (left / tsc_per_ms) * ticks_per_ms +
			 ((left % tsc_per_ms) * ticks_per_ms + tsc_per_ms - 1) / tsc_per_ms;
	ticks += ticks / 256 + 1;
	unsigned shift = 0;
	while (shift < DCR_MAX_SHIFT && (ticks >> shift) > 0xffffffffull)
		shift++;
	uint64_t count = (ticks + (1ull << shift) - 1) >> shift;
	if (count > 0xffffffffull)
		count = 0xffffffffull;
	lapic_write(REG_LVT_TIMER, LVT_ONE_SHOT | HV_TIMER_VECTOR);
	lapic_write(REG_TIMER_DCR, dcr_of(shift));
	lapic_write(REG_TIMER_ICR, (uint32_t)count); /* starts the count (SDM 11.5.4) */
	return expiry;
}
