/*
 * gdbtarget: the guest the gdb stub's emulator tests debug (tests/emu/gdb_session.sh). It
 * calls gdb_target_tick() in a loop, which writes gdb_target_counter, until the debugger
 * changes gdb_target_value from 1 (the test sets 42); then it reports the value and passes
 * only if it is 42. Each round also executes an INT3 of its own, which must reach its own
 * #BP handler with EIP past the INT3 even while the debugger's breakpoints make the
 * hypervisor intercept #BP (a fixup counts them). The [guest] timeout ends it if no debugger
 * comes.
 *
 * With "bystander" on its command line it is instead one of the guests that must run on,
 * unhindered, while another is stopped in the debugger: it loops for "seconds=" (default
 * 30) by its TSC (kHz from CPUID 0x40000010), printing a line every 5 s, and passes.
 */
#include "cmdline.h"
#include "cpu.h"
#include "fixup.h"
#include "printf.h"

const char guest_name[] = "gdbtarget";

volatile uint32_t gdb_target_value = 1;
volatile uint32_t gdb_target_counter;

void gdb_target_tick(uint32_t round); /* the function the test breaks on */

__attribute__((noinline)) void gdb_target_tick(uint32_t round)
{
	gdb_target_counter = round;
	__asm__ volatile("" ::: "memory");
}

/* The guest's own breakpoint: #BP is a trap, so the handler sees EIP after the INT3. */
static bool own_breakpoint(void)
{
	fixup_arm();
	__asm__ volatile("int3\n2:\n" FIXUP_ENTRY("2b", "2b") ::: "memory");
	return fixup_take() == 3;
}

static uint64_t tsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static uint32_t bystander(void)
{
	const char *arg = cmdline_value("seconds");
	uint32_t seconds = 0;
	for (; arg && *arg >= '0' && *arg <= '9'; arg++)
		seconds = seconds * 10 + (uint32_t)(*arg - '0');
	if (!seconds)
		seconds = 30;
	uint64_t khz = cpuid(0x40000010, 0).eax, start = tsc(), rounds = 0;
	for (uint32_t s = 0; s < seconds; s++) {
		while (tsc() - start < (uint64_t)(s + 1) * khz * 1000)
			rounds++;
		if ((s + 1) % 5 == 0)
			printf("gdbtarget: bystander: %u s, %llu rounds\n", s + 1, (unsigned long long)rounds);
	}
	return EXIT_PASS;
}

uint32_t guest_main(uint32_t magic, const struct mb_info *mbi)
{
	(void)magic;
	(void)mbi;
	if (cmdline_has("bystander"))
		return bystander();
	uint32_t round = 0, own = 0;
	printf("gdbtarget: waiting for a debugger to change gdb_target_value (now %u)\n",
	       gdb_target_value);
	while (gdb_target_value == 1) {
		gdb_target_tick(++round);
		own += own_breakpoint();
		for (volatile uint32_t spin = 0; spin < 20000; spin++)
			__asm__ volatile("pause");
	}
	uint32_t value = gdb_target_value;
	printf("gdbtarget: gdb_target_value = %u after %u rounds, set by the debugger\n", value, round);
	printf("gdbtarget: own INT3 handled %u of %u times\n", own, round);
	if (value != 42 || own != round) {
		printf("gdbtarget: FAIL (want gdb_target_value 42 and every INT3 handled)\n");
		return EXIT_FAIL;
	}
	return EXIT_PASS;
}
