/*
 * misbehave: does one thing the hypervisor must stop, chosen by "mode=" on
 * the command line. Reaching the end of a mode means it was not stopped.
 *   triple     load an empty IDT and fault: #UD -> #GP -> #DF -> triple fault
 *   outside    write just past the end of RAM, then 1 GiB further
 *   hlt        HLT with interrupts disabled (the guest could never wake up)
 *   forbidden  virtualization instructions from "insn=" (forbidden.c; default: VMRUN on AMD,
 *              VMXON on Intel): each must stop the guest, or raise #UD where marked ":ud"
 *   spin       loop forever with interrupts off and no exit (only the hypervisor can stop
 *              it: a request from another CPU, [hv] debug_stop_cpu, or [guest] timeout)
 *   skip       end at once as a test that cannot run here: exit value 38 (EXIT_SKIP), which
 *              the hypervisor reports as "skipped"
 *   ports, flood, timed: the console limits (console_modes.c)
 * Exit status: 0x77 if the misbehaviour went unpunished, 0x78 for a bad mode, 0 when every
 * forbidden instruction tried was marked ":ud" and raised #UD.
 */
#include "guest.h"
#include "cmdline.h"
#include "console_modes.h"
#include "cpu.h"
#include "forbidden.h"
#include "multiboot.h"
#include "printf.h"
#include "string.h"

const char guest_name[] = "misbehave";

static void triple_fault(void)
{
	struct {
		uint16_t limit;
		uint32_t base;
	} __attribute__((packed)) empty = { 0, 0 };
	/* With limit 0 no gate fits, so #UD escalates to #GP, #DF and shutdown. */
	__asm__ volatile("lidt %0\n\tud2" : : "m"(empty) : "memory");
}

/* An access the compiler cannot drop or fold: the address is opaque to it. */
static void poke(uint32_t addr)
{
	__asm__("" : "+r"(addr));
	*(volatile uint8_t *)addr = 0x5A;
}

static bool write_outside(const struct mb_info *mbi)
{
	if (!mbi || !(mbi->flags & MB_INFO_MEM)) {
		printf("misbehave: no mem_upper from the loader: cannot tell where RAM ends\n");
		return false;
	}
	uint64_t end = (uint64_t)mbi->mem_upper * 1024 + MIB;
	printf("misbehave: writing the byte at 0x%llx, just past RAM\n", end);
	poke((uint32_t)end);
	if (end + 0x40000000ull <= 0xFFFFFFFFull) {
		printf("misbehave: still running; writing the byte at 0x%llx (+1 GiB)\n", end + 0x40000000ull);
		poke((uint32_t)(end + 0x40000000ull));
	}
	return true;
}

uint32_t guest_main(uint32_t magic, const struct mb_info *mbi)
{
	const char *mode = cmdline_value("mode");
	static const char *const modes[] = { "triple", "outside", "hlt", "forbidden", "spin",
					     "skip" };
	bool known = false;

	uint32_t status;
	if (console_mode(mode, &status)) /* ports, flood, timed: console_modes.c */
		return status;
	if (magic != MB_BOOT_MAGIC)
		mbi = NULL;
	for (unsigned i = 0; mode && i < ARRAY_SIZE(modes); i++)
		known |= strcmp(mode, modes[i]) == 0;
	if (!known) {
		printf("misbehave: %s mode: want mode=triple|outside|hlt|forbidden|spin|skip on the "
		       "command line\n",
		       mode ? "unknown" : "no");
		return EXIT_BAD_MODE;
	}

	printf("misbehave: mode=%s\n", mode);
	if (strcmp(mode, "skip") == 0) {
		printf("misbehave: nothing to test here: skipped\n");
		return EXIT_SKIP;
	}
	if (strcmp(mode, "triple") == 0) {
		triple_fault();
	} else if (strcmp(mode, "outside") == 0) {
		if (!write_outside(mbi))
			return EXIT_BAD_MODE;
	} else if (strcmp(mode, "hlt") == 0) {
		__asm__ volatile("cli; hlt" : : : "memory");
	} else if (strcmp(mode, "spin") == 0) {
		/* Never exits and never ends: only the hypervisor can stop it ([hv] debug_stop_cpu
		 * from another CPU, [guest] timeout). Interrupts off, so nothing of the guest's
		 * own wakes it. */
		__asm__ volatile("cli; 1: jmp 1b" : : : "memory");
	} else {
		return forbidden_instructions(cmdline_value("insn"));
	}
	printf("misbehave: NOT STOPPED\n");
	return EXIT_NOT_STOPPED;
}
