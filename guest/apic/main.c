/*
 * apic: runs the interrupt-platform tests in one boot and exits 0 iff every selected one
 * ran and passed. Command line:
 *   tests=NAME,NAME,...  run only these (default: all), names as in `tests` below
 *   native               bare metal / an emulator without the hypervisor: skip the checks
 *                        of decisions only the hypervisor makes (base move refused, ...)
 *   tsc_khz=N bus_khz=N  the TSC and APIC timer frequencies, where CPUID has neither
 *                        0x40000010 nor 0x15
 *   exact-time           nothing stalls this CPU (Bochs's emulated time, bare metal): the
 *                        HLT tests then bound lateness tightly (see test_hlt.c)
 * Each test prints what it measured ("apic:   ...") and one result line per group
 * ("apic: NAME: ok, N checks" or "apic: NAME: K of N checks FAILED"); failures print
 * "apic: FAIL what".
 */
#include <stdarg.h>
#include "apic.h"
#include "cmdline.h"
#include "fixup.h"
#include "io.h"
#include "printf.h"
#include "report.h"
#include "string.h"

const char guest_name[] = "apic";

/* In run order: IPIs to other CPUs first, while the other cores' guests still run. */
static const struct {
	const char *name;
	void (*run)(void);
} tests[] = {
	{ "ipi-others", test_ipi_others }, /* (d) */
	{ "pic", test_pic },
	{ "timer", test_timer },           /* (a) */
	{ "hlt", test_hlt },               /* (b) */
	{ "self-ipi", test_self_ipi },     /* (c) */
	{ "nmi", test_nmi },
	{ "mmio-race", test_mmio_race },   /* (f) */
	{ "apic-base", test_apic_base },   /* (e) */
};

void note(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("apic:   ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
}

/* Is `name` in the comma-separated list? */
static bool listed(const char *list, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = list; *p;) {
		const char *e = p;
		while (*e && *e != ',')
			e++;
		if ((size_t)(e - p) == n && strncmp(p, name, n) == 0)
			return true;
		p = *e ? e + 1 : e;
	}
	return false;
}

uint32_t run_guarded(void (*fn)(void)); /* guard.asm */
extern const char guard_resume[];

static void start_test(void)
{
	cli();
	irq_reset();
	lapic_restore();
}

/* Runs fn; an unexpected exception in it fails the current group (with where and what)
 * instead of ending the guest, and the next test still runs. */
static void guarded(const char *name, void (*fn)(void))
{
	fixup_catch_all((uint32_t)(uintptr_t)guard_resume);
	uint32_t faulted = run_guarded(fn);
	fixup_catch_all(0);
	cli();
	if (faulted) {
		uint32_t vec = fixup_take();
		printf("apic: FAIL %s: stopped by an unexpected exception %s (vector %u) error 0x%x "
		       "at EIP 0x%08x\n", name, trap_name(vec), vec, fixup_error_code(), fixup_fault_eip());
		check(false, "the test ran to its end");
	}
}

uint32_t guest_main(uint32_t magic, const struct mb_info *mbi)
{
	(void)magic;
	(void)mbi;
	native = cmdline_has("native");
	exact_time = cmdline_has("exact-time");
	const char *sel = cmdline_value("tests");
	char list[64] = "";
	if (sel) {
		memcpy(list, sel, strlen(sel) + 1);
	}
	printf("apic: starting%s%s; tests: %s\n", native ? " (native)" : "",
	       exact_time ? " (exact time)" : "", sel ? list : "all");
	uint32_t selected = 0, ran = 0;
	for (unsigned i = 0; i < ARRAY_SIZE(tests); i++)
		selected += !sel || listed(list, tests[i].name);
	/* A misspelt name must not shrink the run silently. */
	for (const char *p = list; *p;) {
		const char *e = p;
		while (*e && *e != ',')
			e++;
		bool known = false;
		for (unsigned i = 0; i < ARRAY_SIZE(tests); i++)
			known |= strlen(tests[i].name) == (size_t)(e - p) &&
				 strncmp(p, tests[i].name, (size_t)(e - p)) == 0;
		if (!known) {
			printf("apic: FAIL tests=%s: unknown test name (known: ipi-others pic timer hlt "
			       "self-ipi nmi mmio-race apic-base)\n", list);
			return EXIT_FAIL;
		}
		p = *e ? e + 1 : e;
	}
	/* Firmware may leave the 8259 unmasked with its vectors on the CPU exceptions (IRQ 0 as
	 * vector 8 on a PC BIOS): mask it before IF is ever set. The pic test re-initializes it. */
	outb(0x21, 0xFF);
	outb(0xA1, 0xFF);
	irq_install();
	irq_reset();
	lapic_setup();
	if (!time_setup())
		return EXIT_FAIL;
	printf("apic: APIC base 0x%08x, ID %u, version 0x%08x, x2APIC %s, TSC-deadline %s\n",
	       lapic_mmio, lapic_id(), lapic_read(LAPIC_VER), cpu_has_x2apic ? "yes" : "no",
	       cpu_has_tsc_deadline ? "yes" : "no");
	for (unsigned i = 0; i < ARRAY_SIZE(tests); i++) {
		if (sel && !listed(list, tests[i].name))
			continue;
		group_begin(tests[i].name);
		guarded(tests[i].name, start_test);
		guarded(tests[i].name, tests[i].run);
		guarded(tests[i].name, lapic_restore);
		cli();
		group_end();
		ran++;
	}
	printf("apic: %u of %u selected tests ran\n", ran, selected);
	uint32_t failed = report_summary();
	return failed == 0 && ran == selected ? EXIT_PASS : EXIT_FAIL;
}
