/* The exit benchmark guest's shared helpers (main.c) for its line groups. */
#ifndef GUEST_BENCH_H
#define GUEST_BENCH_H

#include "guest.h"
#include "hv/hypercall_abi.h"

#define ROUNDS 2000u
#define SAMPLES 5u /* timed runs of each hot exit kind's loop; the median is reported */

/* Instructions per iteration beyond the empty loop, rounded to the nearest whole one. */
uint32_t per_exit(uint64_t with, uint64_t without, uint32_t n);
/* Prints one "bench: KIND TICKS instr/exit ... ratio=R" line; hc_kind picks the exit kind
 * whose hypervisor-side averages it shows (HC_KIND_*). */
void report(const char *kind, uint32_t ticks, uint32_t hc_kind);
/* The same, the averages over the exits of that kind since `since` (exit_costs) only; the
 * hypervisor must have counted at least min_exits of them. */
void report_since(const char *kind, uint32_t ticks, uint32_t hc_kind, const struct hc_exit_costs *since,
		  uint32_t min_exits);
/* HC_EXIT_COSTS: the hypervisor's totals for one exit kind; false without HV_BENCH. */
bool exit_costs(uint32_t kind, struct hc_exit_costs *out);

/* checks.c: a failed check prints "bench: FAIL ..." and fails the guest at the end;
 * bench_checks_result() prints the tally and returns the exit status. */
void bench_check(bool ok, const char *fmt, ...) PRINTF_LIKE(2, 3);
uint32_t bench_checks_result(void);
/* The median of n values (sorts them in place). */
uint32_t median(uint32_t *v, unsigned n);

/* The interrupt-path lines (apic_bench.c). */
void bench_apic(void);

#endif
