/* Host unit-test runner: runs every registered TEST (optionally only names containing argv[1]). */
#include <stdio.h>
#include <string.h>
#include "tests/host/harness.h"

static struct test_case *head, **tail = &head;
static int current_failed;
int test_checks;

void test_register(struct test_case *tc)
{
	*tail = tc;
	tail = &tc->next;
}

void test_fail(const char *file, int line, const char *expr)
{
	test_checks++;
	printf("    FAIL %s:%d: %s\n", file, line, expr);
	current_failed = 1;
}

#include <stdlib.h>
#include "hv/cpuid_features.h"
#include "hv/msr_policy.h"

int main(int argc, char **argv)
{
	int passed = 0, failed = 0;
	if (argc > 1 && !strcmp(argv[1], "--cpuid-doc")) {
		/* make cpuid-doc: print docs/cpuid-policy.md from the feature table. */
		size_t n = cpuid_policy_markdown(NULL, 0) + 1;
		char *doc = malloc(n);
		cpuid_policy_markdown(doc, n);
		fputs(doc, stdout);
		free(doc);
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "--msr-doc")) {
		/* make msr-doc: print docs/msr-policy.md from the table. */
		size_t n = msr_policy_markdown(NULL, 0) + 1;
		char *doc = malloc(n);
		msr_policy_markdown(doc, n);
		fputs(doc, stdout);
		free(doc);
		return 0;
	}
	for (struct test_case *tc = head; tc; tc = tc->next) {
		if (argc > 1 && !strstr(tc->name, argv[1]))
			continue;
		current_failed = 0;
		test_checks = 0;
		tc->fn();
		if (!test_checks) {
			printf("    FAIL %s: no check ran (a test that checks nothing cannot fail)\n",
			       tc->name);
			current_failed = 1;
		}
		printf("%s %s\n", current_failed ? "FAIL" : "ok  ", tc->name);
		if (current_failed)
			failed++;
		else
			passed++;
	}
	if (argc > 1 && !passed && !failed) { /* a filter that selects nothing is no pass */
		printf("    FAIL: no test name contains '%s'\n", argv[1]);
		printf("unit: 0 passed, 0 failed\n");
		return 1;
	}
	printf("unit: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
