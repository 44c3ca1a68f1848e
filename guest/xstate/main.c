/*
 * Guest extended-state integrity test. Every core runs this at once with a
 * pattern unique to its core (CPUID 0x40000001 EBX): x87, XMM/YMM (and ZMM and
 * opmask registers where the CPU has AVX-512) and nine general registers are
 * loaded in 64-bit mode, 100,000 VM exits of four kinds are taken, and every
 * register is compared afterwards. The hypervisor never saves or restores this
 * state on its exit path, so any corruption shows up here. Before that, XCR0
 * changes the guest may make must work and forbidden ones must raise #GP.
 */
#include "cpu.h"
#include "fixup.h"
#include "guest.h"
#include "printf.h"
#include "report.h"
#include "trap.h"

const char guest_name[] = "xstate";

#define ROUNDS 25000u /* four exits each */
#define XS_AVX 1u
#define XS_AVX512 2u
#define XS_AMD 4u
#define X87_OFF 0
#define VEC_OFF 64
#define K_OFF (VEC_OFF + 32 * 64)
#define GPR_OFF (K_OFF + 8 * 8)
#define XS_SIZE (GPR_OFF + 9 * 8)

extern uint8_t xs_in[XS_SIZE], xs_out[XS_SIZE];
extern uint32_t xs_rounds, xs_flags;
void enter_long_mode(uint32_t pml4);
void xstate_run64_far(void);

/* GDT for long mode: 0x08 32-bit code (the IDT and C code keep using it), 0x10 data,
 * 0x18 64-bit code. */
static const uint64_t gdt64[] = { 0, 0x00cf9b000000ffffull, 0x00cf93000000ffffull,
				  0x00af9b000000ffffull };
struct __attribute__((packed)) {
	uint16_t limit;
	uint32_t base;
} gdt64_desc = { sizeof(gdt64) - 1, (uint32_t)gdt64 };

static uint64_t pml4[512] __attribute__((aligned(4096)));
static uint64_t pdpt[512] __attribute__((aligned(4096)));
static uint64_t pd[512] __attribute__((aligned(4096)));

static uint32_t xsetbv_safe(uint64_t v)
{
	fixup_arm();
	__asm__ volatile("1: xsetbv\n2:\n\t" FIXUP_ENTRY("1b", "2b")
			 : : "c"(0), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
	return fixup_take();
}

static uint64_t xgetbv0(void)
{
	uint32_t lo, hi;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return (uint64_t)hi << 32 | lo;
}

/* xorshift: a cheap stream of pattern bytes seeded by the core number. */
static uint32_t rng;
static uint8_t next_byte(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return (uint8_t)rng;
}

static uint64_t enable_xsave(void)
{
	struct cpuid_regs l1 = cpuid(1, 0);
	if (!(l1.ecx & (1u << 26)))
		return 0;
	/* CR0: MP, NE, no EM/TS; CR4: OSFXSR, OSXMMEXCPT, OSXSAVE. */
	uint32_t cr0;
	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	cr0 = (cr0 | 0x22u) & ~0xcu;
	__asm__ volatile("mov %0, %%cr0" : : "r"(cr0));
	__asm__ volatile("mov %0, %%cr4" : : "r"(read_cr4() | (1u << 9) | (1u << 10) | (1u << 18)));
	struct cpuid_regs d = cpuid(0xd, 0);
	return (uint64_t)d.edx << 32 | d.eax;
}

static void xcr0_checks(uint64_t supported, uint64_t want)
{
	group_begin("xcr0");
	check_eq(xsetbv_safe(0x3), FIXUP_NONE, "XSETBV x87|SSE works");
	check_eq(xgetbv0(), 0x3, "XGETBV reads it back");
	check_eq(xsetbv_safe(0x0), VEC_GP, "XSETBV without x87 raises #GP");
	check_eq(xsetbv_safe(0x5), VEC_GP, "XSETBV AVX without SSE raises #GP");
	check_eq(xsetbv_safe(supported | (1ull << 62)), VEC_GP, "XSETBV of an unsupported bit raises #GP");
	if (supported & 0xe0)
		check_eq(xsetbv_safe(0x27), VEC_GP, "XSETBV of part of AVX-512 raises #GP");
	check_eq(xsetbv_safe(want), FIXUP_NONE, "XSETBV of the features under test works");
	check_eq(xgetbv0(), want, "XCR0 holds them");
	group_end();
}

static void fill_patterns(uint32_t cpu)
{
	rng = 0x9e3779b9u ^ (cpu * 0x01000193u + 1);
	for (uint32_t i = 0; i < XS_SIZE; i++)
		xs_in[i] = next_byte();
	/* x87 values go through fild/fistp: keep them exact 62-bit integers. */
	for (int i = 0; i < 8; i++)
		xs_in[X87_OFF + 8 * i + 7] &= 0x3f;
	for (uint32_t i = 0; i < XS_SIZE; i++)
		xs_out[i] = 0;
}

static void compare(const char *what, uint32_t off, uint32_t count, uint32_t stride, uint32_t bytes)
{
	uint32_t bad = 0, first = 0xffffffffu;
	for (uint32_t r = 0; r < count; r++)
		for (uint32_t b = 0; b < bytes; b++)
			if (xs_in[off + r * stride + b] != xs_out[off + r * stride + b]) {
				bad++;
				if (first == 0xffffffffu)
					first = r;
			}
	if (bad)
		printf("xstate: %s: %u bytes differ, first in register %u\n", what, bad, first);
	check(bad == 0, what);
}

uint32_t guest_main(uint32_t magic, const struct mb_info *mbi)
{
	(void)magic;
	(void)mbi;
	uint32_t cpu = cpuid(0x40000001u, 0).ebx;
	uint64_t supported = enable_xsave();
	if (!supported) {
		printf("xstate: no XSAVE on this CPU: nothing to test\n");
		return EXIT_FAIL;
	}
	bool avx = supported & 0x4, avx512 = (supported & 0xe0) == 0xe0;
	uint64_t want = 0x3 | (avx ? 0x4 : 0) | (avx512 ? 0xe0 : 0);
	printf("xstate: cpu %u, guest XCR0 may hold 0x%llx, testing 0x%llx\n", cpu,
	       (unsigned long long)supported, (unsigned long long)want);
	xcr0_checks(supported, want);

	for (int i = 0; i < 512; i++)
		pd[i] = ((uint64_t)i << 21) | 0x83; /* 2 MiB, present, writable */
	pdpt[0] = (uint32_t)pd | 0x3;
	pml4[0] = (uint32_t)pdpt | 0x3;
	enter_long_mode((uint32_t)pml4);

	fill_patterns(cpu);
	xs_rounds = ROUNDS;
	xs_flags = (avx ? XS_AVX : 0) | (avx512 ? XS_AVX512 : 0) |
		   (cpu_vendor() == VENDOR_AMD ? XS_AMD : 0);
	printf("xstate: pattern %02x%02x%02x%02x..., %u VM exits in 64-bit mode\n", xs_in[VEC_OFF],
	       xs_in[VEC_OFF + 1], xs_in[VEC_OFF + 2], xs_in[VEC_OFF + 3], 4 * ROUNDS);
	xstate_run64_far();

	group_begin("registers");
	compare("x87 ST0-7", X87_OFF, 8, 8, 8);
	if (avx512) {
		compare("ZMM0-31", VEC_OFF, 32, 64, 64);
		compare("k0-7", K_OFF, 8, 8, 2);
	} else {
		compare(avx ? "YMM0-15" : "XMM0-15", VEC_OFF, 16, 64, avx ? 32 : 16);
	}
	compare("RBP RSI RDI R8-R11 R13 R14", GPR_OFF, 9, 8, 8);
	group_end();
	return report_summary() ? EXIT_FAIL : EXIT_PASS;
}
