/* Host unit-test runner: runs every registered TEST (optionally only names containing argv[1]). */
#include <stdio.h>
#include <string.h>
#include "tests/host/harness.h"

static struct test_case *head, **tail = &head;
static int current_failed;

void test_register(struct test_case *tc)
{
	*tail = tc;
	tail = &tc->next;
}

void test_fail(const char *file, int line, const char *expr)
{
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
		tc->fn();
		printf("%s %s\n", current_failed ? "FAIL" : "ok  ", tc->name);
		if (current_failed)
			failed++;
		else
			passed++;
	}
	printf("unit: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
