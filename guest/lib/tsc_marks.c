/*
 * With "tsc-marks" on its command line a guest prints its TSC when it starts (start.asm,
 * before guest_main) and when it exits (guest_exit): "NAME: TSC at start 0x...", "NAME: TSC
 * at exit 0x...", 16 hex digits each. The emulator tests compare the marks of guests on
 * different CPUs to show that they ran at the same time (tests/emu/lib.sh,
 * guests_overlapped). That needs one clock for all: the hypervisor gives every guest the
 * host's TSC (offset 0 until the guest writes the TSC itself), and the emulators keep their
 * CPUs' TSCs together.
 */
#include "tsc_marks.h"
#include "cmdline.h"
#include "printf.h"

void tsc_mark(const char *when)
{
	if (!cmdline_has("tsc-marks"))
		return;
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	printf("%s: TSC at %s 0x%016llx\n", guest_name, when, (unsigned long long)hi << 32 | lo);
}
