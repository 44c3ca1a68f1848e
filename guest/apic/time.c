/*
 * Time for the apic guest: the TSC and APIC timer frequencies the platform tells the guest
 * by CPUID (hypervisor leaf 0x40000010, else Intel leaf 0x15), 64-bit arithmetic without
 * libgcc, and the waits the tests use.
 */
#include "apic.h"
#include "cmdline.h"
#include "cpu.h"
#include "printf.h"

uint32_t tsc_khz, bus_khz;
bool native, exact_time;

uint64_t udiv64(uint64_t n, uint32_t d)
{
	uint32_t hi = (uint32_t)(n >> 32), lo = (uint32_t)n;
	uint32_t qhi = hi / d, r = hi % d, qlo;
	__asm__("divl %2" : "=a"(qlo), "+d"(r) : "rm"(d), "a"(lo));
	return (uint64_t)qhi << 32 | qlo;
}

static uint32_t parse_u32(const char *s)
{
	uint32_t v = 0;
	while (s && *s >= '0' && *s <= '9')
		v = v * 10 + (uint32_t)(*s++ - '0');
	return v;
}

bool time_setup(void)
{
	const char *t = cmdline_value("tsc_khz");
	if (t) { /* for bare metal without the CPUID leaves */
		tsc_khz = parse_u32(t);
		bus_khz = parse_u32(cmdline_value("bus_khz"));
		printf("apic: frequencies from the command line: TSC %u kHz, APIC timer %u kHz\n",
		       tsc_khz, bus_khz);
		return tsc_khz && bus_khz;
	}
	/* Hypervisor leaf 0x40000010 (EAX = TSC kHz, EBX = APIC bus kHz), as VMware, KVM and
	 * Xen define it. */
	if (cpuid(1, 0).ecx >> 31 && cpuid(0x40000000, 0).eax >= 0x40000010) {
		struct cpuid_regs r = cpuid(0x40000010, 0);
		if (r.eax && r.ebx) {
			tsc_khz = r.eax;
			bus_khz = r.ebx;
			printf("apic: CPUID 0x40000010: TSC %u kHz, APIC timer %u kHz\n", tsc_khz, bus_khz);
			return true;
		}
	}
	/* Intel leaf 0x15 (SDM vol. 2A CPUID): TSC = crystal * EBX / EAX; the APIC timer runs
	 * at the crystal clock. */
	if (cpuid(0, 0).eax >= 0x15) {
		struct cpuid_regs r = cpuid(0x15, 0);
		if (r.eax && r.ebx && r.ecx) {
			bus_khz = r.ecx / 1000;
			tsc_khz = (uint32_t)udiv64((uint64_t)r.ecx * r.ebx, r.eax) / 1000;
			printf("apic: CPUID 0x15: crystal %u kHz, TSC %u kHz\n", bus_khz, tsc_khz);
			return tsc_khz && bus_khz;
		}
	}
	printf("apic: FAIL no TSC/APIC timer frequency: CPUID 0x40000010 and 0x15 are absent "
	       "or zero (give tsc_khz= and bus_khz= on the command line)\n");
	return false;
}

uint64_t us_to_tsc(uint32_t us)
{
	return udiv64((uint64_t)us * tsc_khz, 1000);
}

uint32_t tsc_to_us(uint64_t ticks)
{
	return (uint32_t)udiv64(ticks * 1000, tsc_khz);
}

uint32_t us_to_bus(uint32_t us, uint32_t divide)
{
	return (uint32_t)udiv64((uint64_t)us * bus_khz, 1000 * divide);
}

uint32_t dcr_for(uint32_t divide)
{
	/* SDM figure 11-10: bits 3, 1:0; 0b1011 = divide by 1. */
	switch (divide) {
	case 1: return 0xB;
	case 2: return 0x0;
	case 4: return 0x1;
	case 8: return 0x2;
	case 16: return 0x3;
	case 32: return 0x8;
	case 64: return 0x9;
	default: return 0xA; /* 128 */
	}
}

void spin_us(uint32_t us)
{
	uint64_t end = rdtsc() + us_to_tsc(us);
	while (rdtsc() < end)
		__asm__ volatile("pause");
}

uint32_t wait_stall_us;

bool wait_irq(uint32_t vector, uint32_t n, uint32_t us)
{
	uint64_t budget = us_to_tsc(us), gap = us_to_tsc(STALL_US), ran = 0, stalled = 0;
	uint64_t prev = rdtsc();
	sti();
	while (irqs.count[vector] < n && ran < budget) {
		__asm__ volatile("pause");
		uint64_t now = rdtsc();
		if (now - prev > gap)
			stalled += now - prev;
		else
			ran += now - prev;
		prev = now;
	}
	cli();
	wait_stall_us = tsc_to_us(stalled);
	return irqs.count[vector] >= n;
}
