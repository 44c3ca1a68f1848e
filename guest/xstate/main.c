/*
 * Guest extended-state integrity test. Every core runs this at once with a
 * pattern unique to its core (CPUID 0x40000001 EBX). First, before any x87/SSE/AVX
 * register is touched, the state it was started with must be the architectural init
 * state (init_state.c). XCR0 changes the guest may make must work and forbidden ones
 * must raise #GP. Then x87 (registers, control word, condition codes), MXCSR,
 * XMM/YMM (and ZMM and opmask registers where the CPU has AVX-512), PKRU where the
 * CPU has protection keys, and eleven general registers are loaded in 64-bit mode,
 * rounds of six VM exits are taken (CPUID, hypercall, port write, WRMSR, RDMSR,
 * XSETBV), the registers each exit must keep and RFLAGS are checked after every exit,
 * and everything is compared at the end. The hypervisor never saves or restores this
 * state on its exit path, so any corruption shows up here.
 */
#include <stddef.h>
#include "cpu.h"
#include "fixup.h"
#include "guest.h"
#include "printf.h"
#include "report.h"
#include "trap.h"
#include "xstate.h"

const char guest_name[] = "xstate";

#define ROUNDS 16000u /* six exits each (five under QEMU TCG, whose XSETBV does not exit) */
#define XS_AVX 1u
#define XS_AVX512 2u
#define XS_AMD 4u
#define XS_PKRU 8u
#define X87_OFF 0
#define VEC_OFF 64
#define K_OFF (VEC_OFF + 32 * 64)
#define GPR_OFF (K_OFF + 8 * 8)
#define NGPR 11 /* rbp rsi rdi r8-r15 */
#define XS_SIZE (GPR_OFF + NGPR * 8)
#define MSR_MTRR_DEF_TYPE 0x2ffu /* emulated, kept per guest, no side effect (hv/msr_policy.c) */
#define EXIT_KINDS 6

/* Shared with run64 in long_mode.asm (its XC_* offsets). */
struct xs_ctl {
	uint64_t rax, rbx, rcx, rdx;	 /* patterns for the exits that keep them */
	uint64_t wr_rax, wr_rcx, wr_rdx; /* WRMSR: MSR number and value in the low halves */
	uint64_t rd_rax, rd_rdx;	 /* what RDMSR must return */
	uint64_t xs_rax, xs_rcx, xs_rdx; /* XSETBV(0, XCR0 in use) in the low halves */
	uint64_t rflags, zero;
	uint32_t rounds, flags;
	uint32_t mxcsr, pkru;
	uint16_t fcw, fsw_cc;
	uint32_t out_mxcsr;
	uint32_t out_pkru, pad;
	uint64_t rsp_in, rsp_out;
	uint8_t env_tmp[32], env_in[32], env_out[32]; /* FNSTENV, 32-bit format: FCW 0, FSW 4, FTW 8 */
	uint32_t bad[EXIT_KINDS];
};
_Static_assert(offsetof(struct xs_ctl, rflags) == 0x60, "XC_RFLAGS");
_Static_assert(offsetof(struct xs_ctl, rounds) == 0x70, "XC_ROUNDS");
_Static_assert(offsetof(struct xs_ctl, fcw) == 0x80, "XC_FCW");
_Static_assert(offsetof(struct xs_ctl, out_pkru) == 0x88, "XC_OUT_PKRU");
_Static_assert(offsetof(struct xs_ctl, env_tmp) == 0xa0, "XC_ENV_TMP");
_Static_assert(offsetof(struct xs_ctl, bad) == 0x100, "XC_BAD");
_Static_assert(sizeof(struct xs_ctl) == 0x118, "XC_SIZE");

static const char *const exit_name[EXIT_KINDS] = { "CPUID", "hypercall", "OUT", "WRMSR", "RDMSR",
						   "XSETBV" };

extern uint8_t xs_in[XS_SIZE], xs_out[XS_SIZE];
extern struct xs_ctl xs_ctl;
void run64(void);

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

static uint64_t rnd64(void)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | next_byte();
	return v;
}

/* CR0: MP, NE, no EM/TS; CR4: OSFXSR, OSXMMEXCPT, OSXSAVE, and PKE when protection keys
 * are tested. None of this touches an x87/SSE/AVX register. */
static uint64_t enable_xsave(bool pke)
{
	struct cpuid_regs l1 = cpuid(1, 0);
	if (!(l1.ecx & (1u << 26)))
		return 0;
	uint32_t cr0;
	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	cr0 = (cr0 | 0x22u) & ~0xcu;
	__asm__ volatile("mov %0, %%cr0" : : "r"(cr0));
	uint32_t cr4 = read_cr4() | (1u << 9) | (1u << 10) | (1u << 18) | (pke ? 1u << 22 : 0);
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4));
	struct cpuid_regs d = cpuid(0xd, 0);
	return (uint64_t)d.edx << 32 | d.eax;
}

/* XCR0 only grows here (from its power-on value 1), so no component state can be dropped
 * before the init-state probe. */
static void xcr0_checks(uint64_t supported, uint64_t want)
{
	group_begin("xcr0");
	check_eq(xgetbv0(), XC_X87, "XCR0 is 0x1 (x87 only) at guest start");
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

static void fill_patterns(uint32_t cpu, uint64_t xcr0, uint32_t flags)
{
	rng = 0x9e3779b9u ^ (cpu * 0x01000193u + 1);
	for (uint32_t i = 0; i < XS_SIZE; i++)
		xs_in[i] = next_byte();
	/* x87 values go through fild/fistp: keep them exact 62-bit integers. */
	for (int i = 0; i < 8; i++)
		xs_in[X87_OFF + 8 * i + 7] &= 0x3f;
	for (uint32_t i = 0; i < XS_SIZE; i++)
		xs_out[i] = 0;

	struct xs_ctl *c = &xs_ctl;
	c->rax = rnd64();
	c->rbx = rnd64();
	c->rcx = rnd64();
	c->rdx = rnd64();
	/* MTRR_DEF_TYPE: a valid type (0, 1, 4, 5, 6) with FE and E as the pattern says
	 * (SDM vol. 3A 11.11.2.1); the upper halves of RAX/RCX/RDX are ignored by WRMSR. */
	static const uint8_t types[] = { 0, 1, 4, 5, 6 };
	uint64_t r = rnd64();
	uint32_t val = types[(r & 0xff) % 5] | (uint32_t)(r & 0xc00);
	c->wr_rax = (rnd64() << 32) | val;
	c->wr_rcx = (rnd64() << 32) | MSR_MTRR_DEF_TYPE;
	c->wr_rdx = rnd64() << 32;
	c->rd_rax = val;
	c->rd_rdx = 0;
	c->xs_rax = (rnd64() << 32) | (uint32_t)xcr0;
	c->xs_rcx = rnd64() << 32;
	c->xs_rdx = (rnd64() << 32) | (uint32_t)(xcr0 >> 32);
	c->rflags = 0x2 | (rnd64() & 0xcd5); /* CF PF AF ZF SF DF OF; run64 flips them each round */
	c->zero = 0;
	c->rounds = ROUNDS;
	c->flags = flags;
	c->mxcsr = 0x1f80 | (uint32_t)(rnd64() & 0xe03f); /* flags, RC, FZ; all masked */
	c->pkru = (uint32_t)rnd64();
	c->fcw = (uint16_t)(0x007f | (rnd64() & 0x0f00)); /* PC, RC; all masked */
	c->fsw_cc = (uint16_t)(rnd64() & 0x4700);	  /* C0-C3 */
	for (int k = 0; k < EXIT_KINDS; k++)
		c->bad[k] = 0;
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

static uint16_t env_word(const uint8_t *env, uint32_t off)
{
	return (uint16_t)(env[off] | env[off + 1] << 8);
}

static void check_control(bool pkru)
{
	const struct xs_ctl *c = &xs_ctl;
	check_eq(c->rsp_out, c->rsp_in, "RSP");
	check_eq(env_word(c->env_in, 0), c->fcw, "x87 FCW loaded");
	check_eq(env_word(c->env_in, 4) & 0x4700, c->fsw_cc, "x87 FSW condition codes loaded");
	check_eq(env_word(c->env_out, 0), env_word(c->env_in, 0), "x87 FCW kept");
	check_eq(env_word(c->env_out, 4), env_word(c->env_in, 4), "x87 FSW kept");
	check_eq(env_word(c->env_out, 8), env_word(c->env_in, 8), "x87 FTW kept");
	check_eq(c->out_mxcsr, c->mxcsr, "MXCSR kept");
	if (pkru)
		check_eq(c->out_pkru, c->pkru, "PKRU kept");
	for (int k = 0; k < EXIT_KINDS; k++) {
		if (c->bad[k])
			printf("xstate: %u general-register or RFLAGS mismatches after the %u %s exits\n",
			       c->bad[k], ROUNDS, exit_name[k]);
		check(c->bad[k] == 0, "general registers and RFLAGS kept by every exit");
	}
}

uint32_t guest_main(uint32_t magic, const struct mb_info *mbi)
{
	(void)magic;
	(void)mbi;
	uint32_t cpu = cpuid(0x40000001u, 0).ebx;
	bool pku = cpuid(0, 0).eax >= 7 && (cpuid(7, 0).ecx & (1u << 3));
	uint64_t supported = enable_xsave(pku);
	if (!supported) {
		printf("xstate: no XSAVE on this CPU: nothing to test\n");
		return EXIT_FAIL;
	}
	/* Every user component but AMX (x87, SSE, AVX, MPX, AVX-512, PKRU). */
	uint64_t want = supported & (XC_X87 | XC_SSE | XC_AVX | XC_MPX | XC_AVX512 | XC_PKRU);
	bool avx = want & XC_AVX, avx512 = (want & XC_AVX512) == XC_AVX512;
	bool pkru = pku && (want & XC_PKRU);
	bool compacted = cpuid(0xd, 1).eax & 2; /* XSAVEC */
	printf("xstate: cpu %u, guest XCR0 may hold 0x%llx, testing 0x%llx\n", cpu,
	       (unsigned long long)supported, (unsigned long long)want);
	xcr0_checks(supported, want);

	long_mode_enter();
	check_init_state((uint32_t)want, compacted);

	fill_patterns(cpu, want,
		      (avx ? XS_AVX : 0) | (avx512 ? XS_AVX512 : 0) | (pkru ? XS_PKRU : 0) |
			      (cpu_vendor() == VENDOR_AMD ? XS_AMD : 0));
	printf("xstate: pattern %02x%02x%02x%02x..., %u rounds of %u VM exits in 64-bit mode\n",
	       xs_in[VEC_OFF], xs_in[VEC_OFF + 1], xs_in[VEC_OFF + 2], xs_in[VEC_OFF + 3], ROUNDS,
	       EXIT_KINDS);
	call64(run64);

	group_begin("registers");
	compare("x87 ST0-7", X87_OFF, 8, 8, 8);
	if (avx512) {
		compare("ZMM0-31", VEC_OFF, 32, 64, 64);
		compare("k0-7", K_OFF, 8, 8, 2);
	} else {
		compare(avx ? "YMM0-15" : "XMM0-15", VEC_OFF, 16, 64, avx ? 32 : 16);
	}
	compare("RBP RSI RDI R8-R15", GPR_OFF, NGPR, 8, 8);
	check_control(pkru);
	group_end();
	/* What was covered, for the emulator cases to insist on (no silent fallback). Which of
	 * these instructions exited is the hypervisor's count to tell: QEMU TCG runs XSETBV
	 * without an exit (../shared/PLATFORM.md), Bochs exits on it. */
	printf("xstate: tested x87 SSE%s%s%s%s; XSAVE formats standard%s; across CPUID hypercall OUT "
	       "WRMSR RDMSR XSETBV\n",
	       avx ? " AVX" : "", avx512 ? " AVX-512" : "", pkru ? " PKRU" : "",
	       want & XC_MPX ? " MPX(init)" : "", compacted ? " compacted" : "");
	return report_summary() ? EXIT_FAIL : EXIT_PASS;
}
