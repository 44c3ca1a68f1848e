/* The selftest guest: checks that the virtual platform matches its specification. */
#ifndef SELFTEST_H
#define SELFTEST_H

#include "guest.h"
#include "multiboot.h"
#include "report.h"

struct selftest_env {
	/* "native" on the command line: running on plain QEMU, not under the hypervisor. */
	bool native;
	/* The boot information, or NULL if the magic was wrong. */
	const struct mb_info *mbi;
	/* End of the guest's RAM (mem_upper KiB + 1 MiB), or 0 if unknown. */
	uint64_t ram_end;
};

/*
 * A check that only holds under the hypervisor: in native mode it is counted
 * as skipped and `cond` is not even evaluated (it may be a hypercall).
 */
#define check_hv(env, cond, what) ((env)->native ? (skip(what), true) : check(cond, what))
#define check_eq_hv(env, actual, expected, what) \
	((env)->native ? (skip(what), true) : check_eq(actual, expected, what))

/* One group each; test_multiboot fills in env->mbi and env->ram_end. */
void test_multiboot(uint32_t magic, const struct mb_info *mbi, struct selftest_env *env);
void test_exceptions(const struct selftest_env *env);
void test_user_mode(const struct selftest_env *env);
void test_interrupts(const struct selftest_env *env);
void test_cpuid(const struct selftest_env *env);
void test_uart(const struct selftest_env *env);
void test_msr(const struct selftest_env *env);
void test_io(const struct selftest_env *env);
void test_hypercall(const struct selftest_env *env);
void test_cache_pmu(const struct selftest_env *env);
void test_memory(const struct selftest_env *env);
/* module_crc.c: checks module index against a "crc32=" token on its command line, if any. */
void check_module_crc(uint32_t index, const struct mb_module *m);

#endif
