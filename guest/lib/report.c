/* Test bookkeeping (see report.h). */
#include "report.h"
#include "printf.h"

static uint32_t passed, failed, skipped;
static const char *group;
static uint32_t group_passed, group_failed, group_skipped;

void group_begin(const char *name)
{
	group = name;
	group_passed = group_failed = group_skipped = 0;
}

void group_end(void)
{
	uint32_t total = group_passed + group_failed;
	if (group_failed)
		printf("%s: %s: %u of %u checks FAILED", guest_name, group, group_failed, total);
	else
		printf("%s: %s: ok, %u checks", guest_name, group, total);
	if (group_skipped)
		printf(", %u skipped", group_skipped);
	printf("\n");
	group = NULL;
}

bool check(bool cond, const char *what)
{
	if (cond) {
		passed++;
		group_passed++;
	} else {
		failed++;
		group_failed++;
		printf("%s: FAIL %s\n", guest_name, what);
	}
	return cond;
}

bool check_eq(uint64_t actual, uint64_t expected, const char *what)
{
	bool ok = check(actual == expected, what);
	if (!ok)
		printf("%s:      got 0x%llx, expected 0x%llx\n", guest_name,
		       (unsigned long long)actual, (unsigned long long)expected);
	return ok;
}

void skip(const char *what)
{
	(void)what;
	skipped++;
	group_skipped++;
}

uint32_t report_summary(void)
{
	if (skipped)
		printf("%s: %u checks skipped\n", guest_name, skipped);
	printf("%s: %u checks passed, %u failed\n", guest_name, passed, failed);
	return failed;
}
