/*
 * The guest runtime's own exception fixups (lib/fixup.h), on faults every
 * platform raises. The MSR checks rely on this machinery to tell "#GP" from
 * "accepted", so it must itself be shown to work first.
 */
#include "selftest.h"
#include "fixup.h"
#include "trap.h"

/* UD2: #UD on every x86 CPU. */
static uint32_t try_ud2(void)
{
	fixup_arm();
	__asm__ volatile("1: ud2\n2:\n\t" FIXUP_ENTRY("1b", "2b") : : : "memory");
	return fixup_take();
}

/* Loading a selector beyond the GDT limit (start.asm's GDT has 3 entries): #GP(selector). */
static uint32_t try_bad_selector(uint32_t *error_code)
{
	uint32_t sel = 0xFFF8;
	fixup_arm();
	__asm__ volatile("1: mov %0, %%fs\n2:\n\t" FIXUP_ENTRY("1b", "2b") : : "r"(sel) : "memory");
	uint32_t vec = fixup_take();
	*error_code = fixup_error_code();
	__asm__ volatile("mov %0, %%fs" : : "r"(0x10u)); /* in case it did not fault */
	return vec;
}

void test_exceptions(const struct selftest_env *env)
{
	(void)env;
	group_begin("exceptions");
	check_eq(try_ud2(), VEC_UD, "exceptions: UD2 raises #UD, caught by a fixup");
	uint32_t err = 0;
	check_eq(try_bad_selector(&err), VEC_GP, "exceptions: selector beyond the GDT raises #GP, caught by a fixup");
	check_eq(err, 0xFFF8, "exceptions: #GP error code is the selector");
	check_eq(try_ud2(), VEC_UD, "exceptions: fixups keep working after a #GP");
	group_end();
}
