/*
 * #AC from CPL 3. README: #AC (like #DB) exits to the hypervisor, so a guest whose handler
 * raises it again cannot hold the core inside the CPU (CVE-2015-5307), and goes back to the
 * guest unchanged. Alignment checking needs CPL 3, CR0.AM and EFLAGS.AC (Intel SDM vol. 3A
 * 6.15 "Interrupt 17", AMD APM vol. 2 8.2.18): a misaligned load there is #AC with error
 * code 0, which the guest's own handler must see. The guest gets to CPL 3 through
 * lib/user_mode.h.
 */
#include "selftest.h"
#include "cpu.h"
#include "fixup.h"
#include "printf.h"
#include "trap.h"
#include "user_mode.h"

#define VEC_AC 17
#define CR0_AM (1u << 18)
#define EFLAGS_AC (1u << 18)

/* Written at CPL 3 (fixup.h's record, copied out), read at CPL 0. */
static volatile uint32_t user_vector, user_error, user_eip, expected_eip;
static volatile uint32_t word[2] __attribute__((aligned(8)));

/* A 4-byte load from an address that is 1 mod 4; runs at CPL 3. */
static void misaligned_load(void)
{
	uint32_t v;
	fixup_arm();
	__asm__ volatile("movl $1f, %1\n"
			 "1:\tmovl 1(%2), %0\n2:\n\t" FIXUP_ENTRY("1b", "2b")
			 : "=&r"(v), "=m"(expected_eip)
			 : "r"(word)
			 : "memory");
	(void)v;
	user_vector = fixup_take();
	user_error = fixup_error_code();
	user_eip = fixup_fault_eip();
}

/* The same load at CPL 3 with EFLAGS = eflags; the vector it raised, or FIXUP_NONE. */
static uint32_t load_at_cpl3(uint32_t eflags, bool *ran)
{
	user_vector = user_error = user_eip = 0;
	*ran = user_mode_call(misaligned_load, eflags);
	return user_vector;
}

void test_user_mode(const struct selftest_env *env)
{
	(void)env;
	group_begin("user-mode");
	bool ran;
	__asm__ volatile("mov %0, %%cr0" : : "r"(read_cr0() | CR0_AM) : "memory");
	check(read_cr0() & CR0_AM, "user-mode: CR0.AM can be set");
	check_eq(load_at_cpl3(0, &ran), FIXUP_NONE,
		 "user-mode: a misaligned load at CPL 3 with EFLAGS.AC clear does not fault");
	check(ran, "user-mode: the load ran at CPL 3 and came back");
	uint32_t vec = load_at_cpl3(EFLAGS_AC, &ran);
	check(ran, "user-mode: with EFLAGS.AC set too, the load ran at CPL 3 and came back");
	if (vec == FIXUP_NONE) {
		/* QEMU TCG does not check alignment. Where the CPU does (Bochs, hardware), the
		 * emulator case looks for the line below, so a silent skip there fails. */
		printf("selftest: user-mode: no #AC at CPL 3 with CR0.AM and EFLAGS.AC set: this CPU "
		       "does not check alignment\n");
		skip("user-mode: a misaligned load at CPL 3 with CR0.AM and EFLAGS.AC raises #AC");
	} else if (check_eq(vec, VEC_AC, "user-mode: a misaligned load at CPL 3 with CR0.AM and "
					 "EFLAGS.AC raises #AC") &
		   check_eq(user_error, 0, "user-mode: #AC's error code is 0") &
		   check_eq(user_eip, expected_eip, "user-mode: #AC points at the load")) {
		printf("selftest: user-mode: #AC(0) at CPL 3 reached the guest's handler\n");
	}
	__asm__ volatile("mov %0, %%cr0" : : "r"(read_cr0() & ~CR0_AM) : "memory");
	check_eq(load_at_cpl3(EFLAGS_AC, &ran), FIXUP_NONE,
		 "user-mode: with CR0.AM clear again, EFLAGS.AC alone does not fault");
	group_end();
}
