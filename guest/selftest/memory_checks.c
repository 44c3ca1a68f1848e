/*
 * RAM at the edges of the partition: page 0, the first page above 1 MiB and
 * the last page. Each is saved, tested with two patterns, and restored, since
 * the loader may have put boot information or modules there.
 */
#include "selftest.h"
#include "printf.h"

/* The image's extent, from guest.ld (its first page only holds the dead
 * Multiboot header, see guest.ld). */
extern const char __image_start[], __image_end[];

/*
 * Turns a physical address into a pointer the compiler cannot see through:
 * GCC would otherwise treat the access at address 0 as undefined behaviour
 * and replace it with a trap.
 */
static volatile uint32_t *phys(uint32_t addr)
{
	__asm__("" : "+r"(addr));
	return (volatile uint32_t *)addr;
}

static uint32_t saved[PAGE_SIZE / 4];

/* Writes and verifies `pattern ^ index` over one page; true if all words match. */
static bool pattern_ok(volatile uint32_t *p, uint32_t pattern)
{
	for (uint32_t i = 0; i < PAGE_SIZE / 4; i++)
		p[i] = pattern ^ i;
	for (uint32_t i = 0; i < PAGE_SIZE / 4; i++)
		if (p[i] != (pattern ^ i))
			return false;
	return true;
}

static void test_page(uint32_t addr, const char *what)
{
	volatile uint32_t *p = phys(addr);
	for (uint32_t i = 0; i < PAGE_SIZE / 4; i++)
		saved[i] = p[i];
	bool ok = pattern_ok(p, 0x5AA5C33Cu) && pattern_ok(p, ~0x5AA5C33Cu);
	for (uint32_t i = 0; i < PAGE_SIZE / 4; i++)
		p[i] = saved[i];
	for (uint32_t i = 0; i < PAGE_SIZE / 4; i++)
		ok &= p[i] == saved[i];
	if (!check(ok, what))
		printf("selftest:      (page at 0x%08x)\n", addr);
}

void test_memory(const struct selftest_env *env)
{
	group_begin("memory");
	bool last_ok = env->ram_end >= (uint32_t)__image_end + PAGE_SIZE && env->ram_end <= 0xFFFFFFFFull;
	uint32_t last = last_ok ? (uint32_t)env->ram_end - PAGE_SIZE : 0;
	printf("selftest: memory: testing pages 0x0, 0x%08x, 0x%08x\n", (uint32_t)__image_start, last);

	test_page(0, "memory: page 0 is RAM (pattern reads back)");
	test_page((uint32_t)__image_start, "memory: first page above 1 MiB is RAM (pattern reads back)");
	if (check(last_ok, "memory: last page known (mem_upper given, above the image, below 4 GiB)"))
		test_page(last, "memory: last page of RAM is RAM (pattern reads back)");
	group_end();
}
