/*
 * misbehave modes that test the hypervisor's console limits (README "Debugging"):
 *   ports  after "wait=" ms (default 0) of spinning without exits, IN and OUT of bytes,
 *          words and dwords on every port 0-0xFFFF (no OUT that touches the exit port 0xF4
 *          or COM1 0x3F8-0x3FF): each port with no device is "logged once", so only the
 *          per-guest cap keeps this from printing 65,528 lines. Status 0.
 *   flood  "count=" lines (default 10000) written to COM1 as fast as it can (no LSR polls),
 *          then "misbehave: flood: N lines written". Status 0.
 *   timed  "rounds=" times (default 1), "gap=" ms apart (RDMSRs meanwhile, as a timer tick
 *          would exit): 200 lines printed as any guest
 *          prints (LSR polled), timed with the TSC: "misbehave: timed: round R: 200 lines
 *          in N us" (TSC kHz from CPUID 0x40000010). Status 0.
 */
#include "console_modes.h"
#include "cmdline.h"
#include "cpu.h"
#include "io.h"
#include "printf.h"
#include "string.h"

#define EXIT_PORT 0xf4u
#define COM1 0x3f8u

static bool overlaps(uint32_t port, uint32_t size, uint32_t lo, uint32_t hi)
{
	return port <= hi && port + size - 1 >= lo;
}

static void spin_ms(uint32_t ms);
static uint32_t decimal(const char *s, uint32_t dflt);

static uint32_t sweep_ports(void)
{
	uint32_t outs = 0, ins = 0;
	spin_ms(decimal(cmdline_value("wait"), 0));
	for (uint32_t p = 0; p <= 0xffff; p++) {
		uint16_t port = (uint16_t)p;
		(void)inb(port);
		(void)inw(port);
		(void)inl(port);
		ins += 3;
		for (uint32_t size = 1; size <= 4; size *= 2) {
			if (overlaps(p, size, EXIT_PORT, EXIT_PORT) || overlaps(p, size, COM1, COM1 + 7))
				continue;
			if (size == 1)
				outb(port, 0);
			else if (size == 2)
				outw(port, 0);
			else
				outl(port, 0);
			outs++;
		}
	}
	printf("misbehave: ports: %u INs and %u OUTs on every port\n", ins, outs);
	return 0;
}

static void put_raw(const char *s)
{
	while (*s)
		outb(COM1, (uint8_t)*s++);
}

/* The decimal number at s (up to a blank or the end), or dflt if there is none. */
static uint32_t decimal(const char *s, uint32_t dflt)
{
	uint32_t n = 0;
	if (!s || *s < '0' || *s > '9')
		return dflt;
	for (; *s >= '0' && *s <= '9'; s++)
		n = n * 10 + (uint32_t)(*s - '0');
	return n;
}

static void put_decimal(uint32_t n)
{
	char d[11];
	int i = 0;
	do
		d[i++] = (char)('0' + n % 10);
	while ((n /= 10) != 0);
	while (i)
		outb(COM1, (uint8_t)d[--i]);
}

static uint32_t flood(void)
{
	uint32_t count = decimal(cmdline_value("count"), 10000);
	for (uint32_t i = 0; i < count; i++) {
		put_raw("misbehave: flood line ");
		put_decimal(i);
		outb(COM1, '\n');
	}
	printf("misbehave: flood: %u lines written\n", count);
	return 0;
}

static uint64_t rdtsc64(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/* n / d without the compiler's 64-bit division helper: two DIVs (each with EDX < d). */
static uint64_t div_u64(uint64_t n, uint32_t d)
{
	uint32_t hi = (uint32_t)(n >> 32), lo = (uint32_t)n, qhi = hi / d, r = hi % d, qlo;
	__asm__("divl %2" : "=a"(qlo), "+d"(r) : "rm"(d), "a"(lo));
	return (uint64_t)qhi << 32 | qlo;
}

static uint32_t tsc_khz(void)
{
	return cpuid(0x40000010, 0).eax;
}

/* Spin for ms milliseconds on the TSC: RDTSC does not exit, so the other core sees no
 * activity from this one. */
static void spin_ms(uint32_t ms)
{
	uint64_t end = rdtsc64() + (uint64_t)tsc_khz() * ms;
	while (rdtsc64() < end)
		__asm__ volatile("pause");
}

/* Wait ms milliseconds as an OS with a timer tick would, with a slow exit (RDMSR of
 * IA32_APIC_BASE) now and then: each lets the hypervisor write out queued console lines. */
static void wait_ms_exiting(uint32_t ms)
{
	uint64_t end = rdtsc64() + (uint64_t)tsc_khz() * ms;
	while (rdtsc64() < end)
		(void)rdmsr(0x1b);
}

static uint32_t timed(void)
{
	uint32_t khz = tsc_khz();
	uint32_t rounds = decimal(cmdline_value("rounds"), 1), gap = decimal(cmdline_value("gap"), 0);
	for (uint32_t r = 1; r <= rounds; r++) {
		if (r > 1)
			wait_ms_exiting(gap);
		printf("misbehave: timed: round %u starts\n", r);
		uint64_t t0 = rdtsc64();
		for (unsigned i = 0; i < 200; i++)
			printf("misbehave: timed line %u\n", i);
		uint64_t ticks = rdtsc64() - t0;
		printf("misbehave: timed: round %u: 200 lines in %llu us\n", r,
		       khz ? div_u64(ticks * 1000, khz) : 0);
	}
	return 0;
}

bool console_mode(const char *mode, uint32_t *status)
{
	if (!mode)
		return false;
	if (strcmp(mode, "ports") == 0)
		*status = sweep_ports();
	else if (strcmp(mode, "flood") == 0)
		*status = flood();
	else if (strcmp(mode, "timed") == 0)
		*status = timed();
	else
		return false;
	return true;
}
