/*
 * MSRs: the allowed ones behave like hardware, the denied ones (the host's
 * virtualization controls, and anything unknown) raise #GP in the guest.
 */
#include "cpu.h"
#include "selftest.h"
#include "msr.h"
#include "printf.h"
#include "trap.h"

static const struct {
	uint32_t msr;
	const char *what;
} readable[] = {
	{ MSR_TSC, "msr: TSC (0x10) readable" },
	{ MSR_APIC_BASE, "msr: APIC_BASE (0x1B) readable" },
	{ MSR_SYSENTER_CS, "msr: SYSENTER_CS readable" },
	{ MSR_SYSENTER_ESP, "msr: SYSENTER_ESP readable" },
	{ MSR_SYSENTER_EIP, "msr: SYSENTER_EIP readable" },
	{ MSR_PAT, "msr: PAT readable" },
	{ MSR_EFER, "msr: EFER readable" },
	{ MSR_STAR, "msr: STAR readable" },
	{ MSR_LSTAR, "msr: LSTAR readable" },
	{ MSR_CSTAR, "msr: CSTAR readable" },
	{ MSR_SFMASK, "msr: SFMASK readable" },
	{ MSR_FS_BASE, "msr: FS_BASE readable" },
	{ MSR_GS_BASE, "msr: GS_BASE readable" },
	{ MSR_KERNEL_GS_BASE, "msr: KERNEL_GS_BASE readable" },
};

/* Canonical values; SYSENTER_ESP is kept to 32 bits because AMD CPUs only
 * store the low half of it. */
static const struct {
	uint32_t msr;
	uint64_t value;
	const char *what;
} writable[] = {
	{ MSR_LSTAR, 0xFFFFFFFF81234560ull, "msr: LSTAR write reads back" },
	{ MSR_SYSENTER_ESP, 0xDEADB000ull, "msr: SYSENTER_ESP write reads back" },
	{ MSR_KERNEL_GS_BASE, 0xFFFF8000CAFE0000ull, "msr: KERNEL_GS_BASE write reads back" },
};

/* The host's virtualization controls and an MSR nobody defines. */
static const struct {
	uint32_t msr;
	const char *read_what, *write_what;
} denied[] = {
	{ MSR_VM_CR, "msr: read of VM_CR (0xC0010114) raises #GP",
	  "msr: write of VM_CR (0xC0010114) raises #GP" },
	{ MSR_VM_HSAVE_PA, "msr: read of VM_HSAVE_PA (0xC0010117) raises #GP",
	  "msr: write of VM_HSAVE_PA (0xC0010117) raises #GP" },
	{ MSR_FEATURE_CONTROL, "msr: read of IA32_FEATURE_CONTROL (0x3A) raises #GP",
	  "msr: write of IA32_FEATURE_CONTROL (0x3A) raises #GP" },
	{ MSR_VMX_BASIC, "msr: read of IA32_VMX_BASIC (0x480) raises #GP",
	  "msr: write of IA32_VMX_BASIC (0x480) raises #GP" },
	{ 0x12345678, "msr: read of unknown MSR 0x12345678 raises #GP",
	  "msr: write of unknown MSR 0x12345678 raises #GP" },
};

static void check_allowed(void)
{
	uint64_t v;
	for (unsigned i = 0; i < ARRAY_SIZE(readable); i++)
		check_eq(rdmsr_safe(readable[i].msr, &v), 0, readable[i].what);

	for (unsigned i = 0; i < ARRAY_SIZE(writable); i++) {
		uint64_t saved = 0, got = 0;
		uint32_t msr = writable[i].msr;
		bool ok = rdmsr_safe(msr, &saved) == 0 && wrmsr_safe(msr, writable[i].value) == 0 &&
			  rdmsr_safe(msr, &got) == 0;
		check(ok, writable[i].what);
		if (ok)
			check_eq(got, writable[i].value, writable[i].what);
		wrmsr_safe(msr, saved);
	}
}

static void check_pat(const struct selftest_env *env)
{
	uint64_t saved, got = 0;
	if (!check_eq(rdmsr_safe(MSR_PAT, &saved), 0, "msr: PAT readable"))
		return;
	/* Entry 1 becomes WC (type 1): valid, and different from the reset WT. */
	uint64_t valid = (saved & ~0xFF00ull) | 0x0100ull;
	check_eq(wrmsr_safe(MSR_PAT, valid), 0, "msr: PAT write of valid types accepted");
	rdmsr_safe(MSR_PAT, &got);
	check_eq(got, valid, "msr: PAT write reads back");
	wrmsr_safe(MSR_PAT, saved);

	/* Type 2 is reserved: hardware raises #GP (QEMU's TCG does not check). */
	uint64_t invalid = (saved & ~0xFFull) | 0x02ull;
	check_eq_hv(env, wrmsr_safe(MSR_PAT, invalid), VEC_GP, "msr: PAT write of reserved type 2 raises #GP");
	rdmsr_safe(MSR_PAT, &got);
	if (got != saved) /* the native run may have accepted it */
		wrmsr_safe(MSR_PAT, saved);
	check_eq_hv(env, got, saved, "msr: PAT unchanged by the refused write");
}

static void check_efer(void)
{
	uint64_t efer, got = 0;
	if (!check_eq(rdmsr_safe(MSR_EFER, &efer), 0, "msr: EFER readable"))
		return;
	check(!(efer & EFER_SVME), "msr: EFER.SVME reads 0");
	check_eq(wrmsr_safe(MSR_EFER, efer), 0, "msr: EFER write of its own value accepted");
	/* SCE is harmless while we stay in 32-bit mode and allowed on both vendors. */
	check_eq(wrmsr_safe(MSR_EFER, efer ^ EFER_SCE), 0, "msr: EFER write toggling SCE accepted");
	rdmsr_safe(MSR_EFER, &got);
	check_eq(got, efer ^ EFER_SCE, "msr: EFER.SCE toggle reads back");
	/* With NXE as well (where CPUID offers NX) the EFER can match the host's but for SCE:
	 * on VMX without the EFER load controls SCE is then left live in the CPU rather than
	 * switched (arch/x86/vmx/vmx_efer_pat.c). */
	if (cpuid(0x80000000u, 0).eax >= 0x80000001u && (cpuid(0x80000001u, 0).edx & (1u << 20))) {
		uint64_t nx = efer | EFER_NXE;
		check_eq(wrmsr_safe(MSR_EFER, nx), 0, "msr: EFER.NXE write accepted");
		check_eq(wrmsr_safe(MSR_EFER, nx ^ EFER_SCE), 0, "msr: EFER.SCE toggle with NXE accepted");
		rdmsr_safe(MSR_EFER, &got);
		check_eq(got, nx ^ EFER_SCE, "msr: EFER.NXE and SCE read back");
	}
	wrmsr_safe(MSR_EFER, efer);
	rdmsr_safe(MSR_EFER, &got);
	check_eq(got, efer, "msr: EFER restored");
}

static void check_denied(const struct selftest_env *env)
{
	uint64_t v;

	/* QEMU's TCG (7.2) never raises #GP from RDMSR/WRMSR: it returns 0 for MSRs it
	 * does not know and implements some of these. Refusing them is the
	 * hypervisor's job alone; test_exceptions covers the fixup path natively. */
	for (unsigned i = 0; i < ARRAY_SIZE(denied); i++) {
		check_eq_hv(env, rdmsr_safe(denied[i].msr, &v), VEC_GP, denied[i].read_what);
		/* 0 is an inert value for each of them should the write leak through. */
		check_eq_hv(env, wrmsr_safe(denied[i].msr, 0), VEC_GP, denied[i].write_what);
	}
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

#define MSR_TSC_ADJUST 0x3B
#define TSC_JUMP (1ull << 44)  /* hours at any clock rate: far from anything the TSC reads */
#define TSC_SLACK (1ull << 36) /* ~20 s at 3 GHz: an exit round trip, even on a loaded host */

/* Did RDTSC (or RDMSR 0x10) read `got` soon after the TSC was set to `set`? */
static bool tsc_near(uint64_t got, uint64_t set)
{
	return got >= set && got - set < TSC_SLACK;
}

/*
 * IA32_TIME_STAMP_COUNTER writes (SDM vol. 3B 18.17: WRMSR 0x10 sets the TSC). Under the
 * hypervisor the guest's TSC is the host's plus an offset the CPU applies to RDTSC
 * without an exit: a write moves the offset (hv/msr_policy.c MSR_TSC: TSC_OFFSET in the
 * VMCB, APM vol. 2 appendix B; the VMCS TSC offset, SDM vol. 3C 25.6.5). So RDTSC must read
 * what was written, plus the few ticks since, forward and backward, and run on from there.
 */
static void check_tsc_write(const struct selftest_env *env)
{
	uint64_t t0 = rdtsc();
	uint64_t w1 = t0 + TSC_JUMP;
	check_eq(wrmsr_safe(MSR_TSC, w1), 0, "msr: TSC write accepted");
	uint64_t r1 = rdtsc();
	uint64_t w2 = w1 - TSC_JUMP / 2;
	wrmsr_safe(MSR_TSC, w2);
	uint64_t r2 = rdtsc();
	uint64_t m = 0;
	rdmsr_safe(MSR_TSC, &m);
	/* Monotonic from there, across exits (CPUID), in small steps. */
	uint64_t prev = r2, worst = 0;
	bool mono = true;
	for (int i = 0; i < 64; i++) {
		cpuid(0, 0);
		uint64_t t = rdtsc();
		mono = mono && t >= prev;
		if (t - prev > worst)
			worst = t - prev;
		prev = t;
	}
	/* Put the clock back where it would have been: t0 plus the time spent here. */
	uint64_t back = t0 + (r1 - w1) + (rdtsc() - w2);
	wrmsr_safe(MSR_TSC, back);
	uint64_t r3 = rdtsc();

	printf("selftest: msr: TSC 0x%llx; wrote 0x%llx, RDTSC %lld ticks on; wrote 0x%llx, RDTSC %lld ticks on\n",
	       (unsigned long long)t0, (unsigned long long)w1, (long long)(r1 - w1),
	       (unsigned long long)w2, (long long)(r2 - w2));
	check(tsc_near(r1, w1), "msr: RDTSC reads near the TSC value written (forward)");
	check(tsc_near(r2, w2), "msr: RDTSC reads near the TSC value written (backward)");
	check(mono && worst < TSC_SLACK, "msr: RDTSC monotonic after the TSC writes");
	check(tsc_near(r3, back), "msr: RDTSC reads near the TSC value restored");
	if (m == 0 && !env->native) /* ../shared/PLATFORM.md: QEMU 7.2's nested SVM */
		printf("selftest: msr: RDMSR 0x10 read 0 (QEMU TCG's nested guests): not checked\n");
	else
		check(tsc_near(m, w2), "msr: RDMSR 0x10 reads near the TSC value written");

	/* IA32_TSC_ADJUST (SDM vol. 3B 18.17.3): hidden (CPUID 7.0 EBX[1]) and denied. */
	bool adjust = cpuid(0, 0).eax >= 7 && (cpuid(7, 0).ebx & (1u << 1));
	check_hv(env, !adjust, "msr: CPUID hides TSC_ADJUST");
	uint64_t v;
	check_eq_hv(env, rdmsr_safe(MSR_TSC_ADJUST, &v), VEC_GP, "msr: read of TSC_ADJUST (0x3B) raises #GP");
	check_eq_hv(env, wrmsr_safe(MSR_TSC_ADJUST, 0), VEC_GP, "msr: write of TSC_ADJUST (0x3B) raises #GP");
}

void test_msr(const struct selftest_env *env)
{
	group_begin("msr");
	check_allowed();
	check_pat(env);
	check_efer();
	check_denied(env);
	check_tsc_write(env);
	group_end();
}
