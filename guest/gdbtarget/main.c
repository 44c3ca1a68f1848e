/*
 * gdbtarget: the guest the gdb stub's emulator tests debug (tests/emu/gdb_session.sh). It
 * calls gdb_target_tick() in a loop, which writes gdb_target_counter, until the debugger
 * changes gdb_target_value from 1 (the test sets 42); then it reports the value and passes
 * only if it is 42. Each round also executes an INT3 of its own, which must reach its own
 * #BP handler with EIP past the INT3 even while the debugger's breakpoints make the
 * hypervisor intercept #BP (a fixup counts them). The [guest] timeout ends it if no debugger
 * comes.
 *
 * With "longmode" it starts the same loop in 32-bit protected mode until the debugger sets
 * gdb_target_value to 2, then switches to long mode and calls 64-bit code (tick64.asm) in a
 * loop until the value is 42: the debugger attached in 32-bit mode sees the switch
 * (tests/emu/gdb_session.sh, gdb_mode_case). It reports RDX as the first 64-bit stop left
 * it, after the debugger wrote EDX through the i386 description.
 *
 * With "bystander" on its command line it is instead one of the guests that must run on,
 * unhindered, while another is stopped in the debugger: it loops for "seconds=" (default
 * 30) by its TSC (kHz from CPUID 0x40000010), printing a line every "every_ms="
 * milliseconds (default 5000), and passes.
 */
#include "cmdline.h"
#include "cpu.h"
#include "fixup.h"
#include "long_mode.h"
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

/* What the test single-steps (tests/emu/gdb_session.sh): a CPUID and an OUT, which the
 * hypervisor carries out (its fast path, when nobody steps), around an ordinary instruction.
 * Each stepi must stop at the next label: one instruction, not two. Port 0x80 has no
 * device behind it (writes ignored). */
__attribute__((noinline)) static uint32_t step_targets(uint32_t round)
{
	uint32_t a = 0, b, c = 0, d = round;
	__asm__ volatile(".globl gdb_step_cpuid, gdb_step_add, gdb_step_out, gdb_step_end\n"
			 "gdb_step_cpuid: cpuid\n"
			 "gdb_step_add: addl $1, %%edx\n"
			 "gdb_step_out: outb %%al, $0x80\n"
			 "gdb_step_end:\n"
			 : "+a"(a), "=b"(b), "+c"(c), "+d"(d)
			 :
			 : "memory");
	return d - b;
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

/* The decimal number after "key=" on the command line, or 0. */
static uint32_t cmdline_number(const char *key)
{
	const char *arg = cmdline_value(key);
	uint32_t n = 0;
	for (; arg && *arg >= '0' && *arg <= '9'; arg++)
		n = n * 10 + (uint32_t)(*arg - '0');
	return n;
}

static uint32_t bystander(void)
{
	uint32_t seconds = cmdline_number("seconds"), every = cmdline_number("every_ms");
	if (!seconds)
		seconds = 30;
	if (!every)
		every = 5000;
	uint64_t khz = cpuid(0x40000010, 0).eax, start = tsc(), rounds = 0;
	for (uint32_t ms = every;; ms += every) {
		if (ms > seconds * 1000)
			ms = seconds * 1000;
		while (tsc() - start < (uint64_t)ms * khz) {
			rounds++;
			/* Harmless on hardware (IF is 0 already); for Bochs 2.7 (docs/interrupts.md):
			 * a VMX guest entered with IF = 0 gets no external-interrupt exit until it
			 * executes CLI or STI itself (POPF and IRET count only when they change IF),
			 * so without this CLI the hypervisor's kicks and COM2's interrupt never
			 * reach this loop there. */
			__asm__ volatile("cli" ::: "memory");
		}
		if (ms % 1000)
			printf("gdbtarget: bystander: %u.%03u s, %llu rounds\n", ms / 1000, ms % 1000,
			       (unsigned long long)rounds);
		else
			printf("gdbtarget: bystander: %u s, %llu rounds\n", ms / 1000,
			       (unsigned long long)rounds);
		if (ms == seconds * 1000)
			return EXIT_PASS;
	}
}

void gdb_target_tick64(void); /* tick64.asm: 64-bit code */
extern volatile uint64_t gdb_target_rdx;

static uint32_t long_mode_run(void)
{
	uint32_t round = 0;
	printf("gdbtarget: longmode: 32-bit, waiting for a debugger to set gdb_target_value to 2\n");
	while (gdb_target_value == 1) {
		gdb_target_tick(++round);
		for (volatile uint32_t spin = 0; spin < 20000; spin++)
			__asm__ volatile("pause");
		/* A no-op on hardware (IF is 0); for Bochs 2.7, as in bystander(): without it
		 * the stub's kick and COM2's interrupt never reach this loop there. */
		__asm__ volatile("cli" ::: "memory");
	}
	long_mode_enter();
	printf("gdbtarget: longmode: in long mode\n");
	while (gdb_target_value == 2) {
		call64(gdb_target_tick64); /* executes a CLI too, in 64-bit mode */
		for (volatile uint32_t spin = 0; spin < 20000; spin++)
			__asm__ volatile("pause");
		__asm__ volatile("cli" ::: "memory"); /* for Bochs 2.7, as above */
	}
	uint32_t value = gdb_target_value;
	printf("gdbtarget: longmode: gdb_target_value = %u, RDX at the first 64-bit stop 0x%llx\n",
	       value, (unsigned long long)gdb_target_rdx);
	return value == 42 ? EXIT_PASS : EXIT_FAIL;
}

uint32_t guest_main(uint32_t magic, const struct mb_info *mbi)
{
	(void)magic;
	(void)mbi;
	if (cmdline_has("bystander"))
		return bystander();
	if (cmdline_has("longmode"))
		return long_mode_run();
	uint32_t round = 0, own = 0;
	printf("gdbtarget: waiting for a debugger to change gdb_target_value (now %u)\n",
	       gdb_target_value);
	while (gdb_target_value == 1) {
		gdb_target_tick(++round);
		(void)step_targets(round);
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
