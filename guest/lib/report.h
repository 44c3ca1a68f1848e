/*
 * Test bookkeeping: checks are counted per group and in total, failures are
 * printed as "<guest>: FAIL <what>", and each group ends with one summary line.
 */
#ifndef GUEST_REPORT_H
#define GUEST_REPORT_H

#include "guest.h"

/* Starts a group of checks ("cpuid", "msr", ...). */
void group_begin(const char *name);

/* Prints "<guest>: <group>: ok, n checks[, k skipped]" or "...: k of n checks FAILED[...]". */
void group_end(void);

/* Records one check; prints a FAIL line if !cond. Returns cond. */
bool check(bool cond, const char *what);

/* check(actual == expected), also printing both values on failure. */
bool check_eq(uint64_t actual, uint64_t expected, const char *what);

/* Records a check that was not run (e.g. it only holds under the hypervisor). */
void skip(const char *what);

/* Prints "<guest>: N checks passed, M failed" and returns M. */
uint32_t report_summary(void);

#endif
