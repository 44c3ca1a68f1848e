/*
 * Minimal host unit-test harness. Every TEST() registers itself; the runner
 * (tests/host/main.c) runs them all and prints "N passed, M failed".
 * CHECK records a failure with file:line and keeps going; REQUIRE also
 * returns from the test.
 */
#ifndef TESTS_HOST_HARNESS_H
#define TESTS_HOST_HARNESS_H

#include <stdio.h>

struct test_case {
	const char *name;
	void (*fn)(void);
	struct test_case *next;
};

void test_register(struct test_case *tc);
void test_fail(const char *file, int line, const char *expr);
/* Checks evaluated by the running test: a test that evaluated none fails (main.c), so an
 * early return or a loop over an empty set cannot pass silently. */
extern int test_checks;

#define TEST(name)                                                           \
	static void test_##name(void);                                       \
	static struct test_case tc_##name = { #name, test_##name, 0 };       \
	__attribute__((constructor)) static void reg_##name(void)            \
	{                                                                    \
		test_register(&tc_##name);                                   \
	}                                                                    \
	static void test_##name(void)

#define CHECK(cond)                                                          \
	do {                                                                 \
		test_checks++;                                               \
		if (!(cond))                                                 \
			test_fail(__FILE__, __LINE__, #cond);                \
	} while (0)

#define REQUIRE(cond)                                                        \
	do {                                                                 \
		test_checks++;                                               \
		if (!(cond)) {                                               \
			test_fail(__FILE__, __LINE__, #cond);                \
			return;                                              \
		}                                                            \
	} while (0)

#define CHECK_EQ(a, b)                                                       \
	do {                                                                 \
		test_checks++;                                               \
		unsigned long long _a = (unsigned long long)(a);             \
		unsigned long long _b = (unsigned long long)(b);             \
		if (_a != _b) {                                              \
			char _m[256];                                        \
			snprintf(_m, sizeof(_m), "%s == %s (0x%llx != 0x%llx)", \
				 #a, #b, _a, _b);                            \
			test_fail(__FILE__, __LINE__, _m);                   \
		}                                                            \
	} while (0)

#endif
