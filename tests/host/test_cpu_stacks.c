/* The per-CPU stack region (arch/x86/cpu_stacks.h): guard pages, IST stacks, the percpu word. */
#include <stdlib.h>
#include <string.h>
#include "arch/x86/cpu_stacks.h"
#include "arch/x86/page_table.h"
#include "tests/host/harness.h"

#define POOL_BYTES (8u << 20)

/* What this_cpu() computes from an RSP (hv/percpu.h), without reading the real RSP. */
static struct percpu *percpu_from(uint64_t rsp)
{
	return *(struct percpu **)(uintptr_t)((rsp | (HV_CPU_REGION_SIZE - 1)) - 7);
}

static bool mapped(uint64_t root, uint64_t va)
{
	uint64_t pa, sz;
	return pt_translate(root, va, &pt_format_host, &pa, &sz) == 0 && pa == va;
}

TEST(cpu_stacks_region_layout_guards_and_percpu_word)
{
	static void *mem;
	if (!mem)
		mem = aligned_alloc(MIB(2), POOL_BYTES);
	REQUIRE(mem);
	struct page_pool pool;
	uint64_t base = (uint64_t)(uintptr_t)mem;
	REQUIRE(page_pool_init(&pool, base, POOL_BYTES) == 0);
	uint64_t root = pt_new_root(&pool);
	REQUIRE(root);
	REQUIRE(pt_map(&pool, root, base, base, POOL_BYTES, &pt_format_host) == 0); /* 2 MiB leaves */
	struct percpu pc = { .index = 3 };
	REQUIRE(cpu_stacks_reserve(&pool, root, &pc) == 0);

	uint64_t r = pc.stack_region;
	CHECK(IS_ALIGNED(r, HV_CPU_REGION_SIZE));
	CHECK(r >= base && r + HV_CPU_REGION_SIZE <= base + POOL_BYTES);
	CHECK_EQ(cpu_main_stack_top(&pc), r + HV_CPU_REGION_SIZE - 16);
	CHECK_EQ(cpu_stack_end(&pc, CPU_STACK_DF), r + KIB(20));
	CHECK_EQ(cpu_stack_end(&pc, CPU_STACK_NMI), r + KIB(40));
	CHECK_EQ(cpu_stack_end(&pc, CPU_STACK_MC), r + KIB(60));
	CHECK_EQ(cpu_stack_bottom(&pc, CPU_STACK_MAIN), r + KIB(64));
	CHECK_EQ(cpu_stack_end(&pc, CPU_STACK_MAIN) - cpu_stack_bottom(&pc, CPU_STACK_MAIN),
		 HV_STACK_SIZE);

	for (int s = 0; s < CPU_STACK_COUNT; s++) {
		enum cpu_stack st = (enum cpu_stack)s;
		uint64_t lo = cpu_stack_bottom(&pc, st), hi = cpu_stack_end(&pc, st);
		/* The guard page right below each stack is gone from the host map, and is found. */
		CHECK(!mapped(root, lo - CPU_GUARD_SIZE));
		CHECK_EQ(cpu_stack_guard_at(&pc, lo - CPU_GUARD_SIZE), st);
		CHECK_EQ(cpu_stack_guard_at(&pc, lo - 8), st);
		CHECK_EQ(cpu_stack_guard_at(&pc, lo), CPU_STACK_COUNT);
		/* The stack itself stays mapped, first and last page. */
		CHECK(mapped(root, lo));
		CHECK(mapped(root, hi - PAGE_SIZE));
		CHECK(cpu_stack_readable(&pc, lo, 32));
		CHECK(cpu_stack_readable(&pc, hi - 32, 32));
		CHECK(!cpu_stack_readable(&pc, hi - 31, 32)); /* would run past its end */
		CHECK(!cpu_stack_readable(&pc, lo - 16, 32));
		/* From anywhere on any of its stacks, the CPU finds its struct percpu. */
		CHECK(percpu_from(lo) == &pc);
		CHECK(percpu_from(hi - 8) == &pc);
	}
	/* The #MC stack ends where the main stack's guard begins; the main stack ends the region. */
	CHECK(!cpu_stack_readable(&pc, cpu_stack_end(&pc, CPU_STACK_MC) - 16, 32));
	CHECK(!cpu_stack_readable(&pc, r + HV_CPU_REGION_SIZE - 16, 32));
	CHECK(!cpu_stack_readable(&pc, r - 64, 32));
	CHECK_EQ(cpu_stack_guard_at(&pc, r + HV_CPU_REGION_SIZE), CPU_STACK_COUNT);
	/* Outside the region: memory next to it keeps its mapping. */
	CHECK(mapped(root, r + HV_CPU_REGION_SIZE) || r + HV_CPU_REGION_SIZE >= base + POOL_BYTES);
	CHECK(!strcmp(cpu_stack_name(CPU_STACK_MAIN), "main"));
	CHECK(!strcmp(cpu_stack_name(CPU_STACK_DF), "#DF"));
}
