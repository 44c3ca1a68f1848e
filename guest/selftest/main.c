/*
 * selftest: runs every platform check group and exits 0 iff all passed.
 * With "native" on the command line it runs on plain QEMU, skipping the
 * checks that only the hypervisor's virtual platform satisfies.
 */
#include "selftest.h"
#include "cmdline.h"
#include "printf.h"

const char guest_name[] = "selftest";

uint32_t guest_main(uint32_t magic, const struct mb_info *mbi)
{
	struct selftest_env env = { .native = cmdline_has("native") };

	printf("selftest: starting%s\n",
	       env.native ? " in native mode: hypervisor-only checks are skipped" : "");
	test_multiboot(magic, mbi, &env);
	test_interrupts(&env); /* early: a leaked interrupt pending since the first entry */
	test_exceptions(&env); /* before test_msr, which relies on fixups */
	test_user_mode(&env);  /* #AC at CPL 3; relies on fixups too */
	test_cpuid(&env);
	test_uart(&env);
	test_msr(&env);
	test_io(&env);
	test_hypercall(&env);
	test_cache_pmu(&env);
	/* Last: it scribbles on (and restores) pages the loader may have used. */
	test_memory(&env);
	return report_summary() == 0 ? EXIT_PASS : EXIT_FAIL;
}
