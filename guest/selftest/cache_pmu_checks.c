/*
 * WBINVD, WBNOINVD, INVD and RDPMC (docs/cache-and-pmu.md): the hypervisor
 * intercepts all four. The cache instructions write back this guest's own
 * memory and return (INVD never loses data), and RDPMC reads the counters the
 * MSR policy emulates as 0 and raises #GP for counters that do not exist.
 */
#include "selftest.h"
#include "cpu.h"
#include "fixup.h"
#include "trap.h"

static uint32_t try_wbinvd(void)
{
	fixup_arm();
	__asm__ volatile("1: wbinvd\n2:\n\t" FIXUP_ENTRY("1b", "2b") : : : "memory");
	return fixup_take();
}

/* WBNOINVD (F3 0F 09) is WBINVD on CPUs that lack it (the prefix is ignored). */
static uint32_t try_wbnoinvd(void)
{
	fixup_arm();
	__asm__ volatile("1: .byte 0xf3, 0x0f, 0x09\n2:\n\t" FIXUP_ENTRY("1b", "2b") : : : "memory");
	return fixup_take();
}

static uint32_t try_invd(void)
{
	fixup_arm();
	__asm__ volatile("1: invd\n2:\n\t" FIXUP_ENTRY("1b", "2b") : : : "memory");
	return fixup_take();
}

static uint32_t try_rdpmc(uint32_t index, uint64_t *val)
{
	uint32_t lo = 0x5a5a5a5a, hi = 0xa5a5a5a5;
	fixup_arm();
	__asm__ volatile("1: rdpmc\n2:\n\t" FIXUP_ENTRY("1b", "2b")
			 : "+a"(lo), "+d"(hi)
			 : "c"(index)
			 : "memory");
	*val = (uint64_t)hi << 32 | lo;
	return fixup_take();
}

static bool is_amd(void)
{
	return cpuid(0, 0).ebx == 0x68747541u; /* "Auth" */
}

/* Written just before INVD and read just after: a discard would lose it. */
static volatile uint32_t canary[16];

void test_cache_pmu(const struct selftest_env *env)
{
	group_begin("cache-pmu");
	check_eq(try_wbinvd(), FIXUP_NONE, "cache-pmu: WBINVD runs without a fault");
	check_eq(try_wbnoinvd(), FIXUP_NONE, "cache-pmu: WBNOINVD runs without a fault");
	for (uint32_t i = 0; i < 16; i++)
		canary[i] = 0xc0de0000u + i;
	bool faulted = try_invd() != FIXUP_NONE;
	check(!faulted, "cache-pmu: INVD runs without a fault");
	bool kept = true;
	for (uint32_t i = 0; i < 16; i++)
		kept &= canary[i] == 0xc0de0000u + i;
	check_hv(env, kept, "cache-pmu: INVD keeps data just written (a write-back, never a discard)");

	/* Counter 0 exists on both vendors (IA32_PMC0 / PerfCtr0) and reads 0: no virtual PMU. */
	uint64_t val = 1;
	if (env->native) {
		skip("cache-pmu: RDPMC 0 reads 0");
		skip("cache-pmu: RDPMC of a counter that does not exist raises #GP");
		skip("cache-pmu: RDPMC of a counter the MSR policy denies raises #GP");
	} else {
		uint32_t vec = try_rdpmc(0, &val);
		check_eq(vec, FIXUP_NONE, "cache-pmu: RDPMC 0 runs without a fault");
		if (vec == FIXUP_NONE)
			check_eq(val, 0, "cache-pmu: RDPMC 0 reads 0");
		check_eq(try_rdpmc(0x100, &val), VEC_GP,
			 "cache-pmu: RDPMC of a counter that does not exist raises #GP");
		/* Intel's fixed counters (ECX[30]) and AMD's counter 4 have no MSR in the policy. */
		check_eq(try_rdpmc(is_amd() ? 4 : 1u << 30, &val), VEC_GP,
			 "cache-pmu: RDPMC of a counter the MSR policy denies raises #GP");
	}
	group_end();
}
