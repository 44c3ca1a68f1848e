/*
 * Exit-path benchmark guest (make bench). For each exit kind it times n round
 * trips against an identical loop without the exiting instruction, asks the
 * hypervisor what it executed per exit (HC_EXIT_COSTS), and prints
 *   bench: KIND TICKS instr/exit msr=N xsave=N vmsave=N vmload=N vmwrite=N autoload=N ratio=R
 * where R is TICKS over the floor: the same CPUID loop through the do-nothing
 * exit handler (HC_BENCH_FLOOR). Meaningful only when the TSC counts instructions
 * (QEMU -icount shift=0, Bochs). Then the interrupt paths (apic_bench.c): xAPIC and
 * x2APIC EOIs, self-IPIs delivered and EOI'd, TSC-deadline writes, HLT woken by the
 * guest's own timer.
 *
 * The guest fails (checks.c) when a measurement is missing or inconsistent: a figure of 0,
 * min > median of the samples, an exit kind without the hypervisor's figures, a loop whose
 * exit count differs from what the hypervisor counted, a hot kind (CPUID, hypercall, port
 * I/O) below the floor or with an MSR access, XSAVE/XRSTOR, VMSAVE/VMLOAD or more than the
 * one VMWRITE (GUEST_RIP) per exit during its timed loops. Command line: tsc_per_insn=N
 * when the TSC advances N per instruction (QEMU -icount shift=s: 2^s), so the figures are
 * still instructions.
 */
#include "bench.h"
#include "cmdline.h"
#include "cpu.h"
#include "guest.h"
#include "hv/hypercall_abi.h"
#include "printf.h"

const char guest_name[] = "bench";

uint64_t loop_cpuid(uint32_t n), loop_cpuid_empty(uint32_t n);
uint64_t loop_vmmcall(uint32_t n), loop_vmcall(uint32_t n), loop_hypercall_empty(uint32_t n);
uint64_t loop_out(uint32_t n), loop_out_empty(uint32_t n);
uint64_t loop_rdmsr(uint32_t n), loop_rdmsr_empty(uint32_t n);
void hot_window_begin(void), hot_window_end(void);

static struct hc_exit_costs costs_buf;

bool exit_costs(uint32_t kind, struct hc_exit_costs *out)
{
	uint32_t eax = HC_EXIT_COSTS, ebx = (uint32_t)(uintptr_t)&costs_buf, ecx = kind;
	if (cpu_vendor() == VENDOR_AMD)
		__asm__ volatile("vmmcall" : "+a"(eax), "+b"(ebx), "+c"(ecx) : : "memory", "edx");
	else
		__asm__ volatile("vmcall" : "+a"(eax), "+b"(ebx), "+c"(ecx) : : "memory", "edx");
	*out = costs_buf;
	return eax == 0;
}

static void set_floor(uint32_t count, uint32_t len)
{
	uint32_t eax = HC_BENCH_FLOOR, ebx = count, ecx = len;
	if (cpu_vendor() == VENDOR_AMD)
		__asm__ volatile("vmmcall" : "+a"(eax), "+b"(ebx), "+c"(ecx) : : "memory", "edx");
	else
		__asm__ volatile("vmcall" : "+a"(eax), "+b"(ebx), "+c"(ecx) : : "memory", "edx");
}

/* TSC ticks per iteration; 0 when the loop with the exiting instruction was not slower. */
uint32_t per_exit(uint64_t with, uint64_t without, uint32_t n)
{
	if (with <= without)
		return 0;
	uint32_t d = (uint32_t)(with - without);
	return (d + n / 2) / n;
}

static uint32_t floor_ticks, tsc_per_insn = 1;

/* Ticks as instructions (tsc_per_insn=N on the command line), rounded. */
static uint32_t insns(uint32_t ticks)
{
	return (ticks + tsc_per_insn / 2) / tsc_per_insn;
}

static struct hc_exit_costs costs_minus(struct hc_exit_costs a, const struct hc_exit_costs *b)
{
	a.exits -= b->exits;
	a.msr -= b->msr;
	a.xsave -= b->xsave;
	a.vmsave -= b->vmsave;
	a.vmload -= b->vmload;
	a.vmwrite -= b->vmwrite;
	a.autoload -= b->autoload;
	return a;
}

/* " NAME=X": the per-exit average, exact when whole, else with two decimals, so that an
 * access on only some exits never shows as 0. */
static void print_avg(const char *name, uint64_t total, uint32_t n)
{
	uint32_t t = (uint32_t)total;
	if (t % n == 0) {
		printf(" %s=%u", name, t / n);
		return;
	}
	uint32_t x100 = (t * 100 + n / 2) / n;
	if (!x100)
		x100 = 1; /* never 0.00 */
	printf(" %s=%u.%02u", name, x100 / 100, x100 % 100);
}

/* One line from the hypervisor's figures in c (got: they were there). */
static void print_line(const char *kind, uint32_t ticks, bool got, const struct hc_exit_costs *c)
{
	uint32_t ratio100 = floor_ticks ? (ticks * 100 + floor_ticks / 2) / floor_ticks : 0;
	printf("bench: %s %u instr/exit", kind, insns(ticks));
	bench_check(ticks > 0, "%s: no figure (the loop with the exit was not slower than without)", kind);
	bench_check(got && c->exits, "%s: the hypervisor has no figures for this exit kind", kind);
	if (got && c->exits) {
		uint32_t n = (uint32_t)c->exits;
		print_avg("msr", c->msr, n);
		print_avg("xsave", c->xsave, n);
		print_avg("vmsave", c->vmsave, n);
		print_avg("vmload", c->vmload, n);
		print_avg("vmwrite", c->vmwrite, n);
		print_avg("autoload", c->autoload, n);
	} else {
		printf(" msr=? xsave=? vmsave=? vmload=? vmwrite=? autoload=?");
	}
	printf(" ratio=%u.%02u\n", ratio100 / 100, ratio100 % 100);
}

void report(const char *kind, uint32_t ticks, uint32_t hc_kind)
{
	report_since(kind, ticks, hc_kind, NULL, 0);
}

void report_since(const char *kind, uint32_t ticks, uint32_t hc_kind, const struct hc_exit_costs *since,
		  uint32_t min_exits)
{
	/* Averages over every exit of this kind since the guest started (or since `since`). */
	struct hc_exit_costs after;
	bool got = exit_costs(hc_kind, &after);
	if (got && since)
		after = costs_minus(after, since);
	print_line(kind, ticks, got, &after);
	bench_check(!got || after.exits >= min_exits, "%s: the hypervisor counted %llu exits of this kind, "
		    "the loop made at least %u", kind, after.exits, min_exits);
}

/*
 * A hot exit kind: SAMPLES runs of the timed loop and its empty twin between the window
 * markers, the median reported. Its figures are the hypervisor's over exactly these loops:
 * the totals after, less those before, less what one HC_EXIT_COSTS hypercall between two
 * snapshots adds (its own exit: counted, and its slow path's VMLOAD falls after the
 * snapshot it takes). So they must show SAMPLES * ROUNDS exits and nothing the hot path
 * may not execute (README, design notes): no MSR access, XSAVE/XRSTOR, VMSAVE or VMLOAD,
 * at most one VMWRITE (VMX: GUEST_RIP) per exit.
 */
static void measure_hot(const char *kind, uint32_t hc_kind, uint64_t (*with)(uint32_t),
			uint64_t (*without)(uint32_t))
{
	struct hc_exit_costs first = { 0 }, before = { 0 }, after = { 0 };
	bool got = exit_costs(hc_kind, &first) && exit_costs(hc_kind, &before);
	uint32_t t[SAMPLES];
	hot_window_begin();
	for (unsigned i = 0; i < SAMPLES; i++) {
		uint64_t w = with(ROUNDS);
		t[i] = per_exit(w, without(ROUNDS), ROUNDS);
	}
	hot_window_end();
	got = exit_costs(hc_kind, &after) && got;
	struct hc_exit_costs one = costs_minus(before, &first);
	struct hc_exit_costs loops = costs_minus(costs_minus(after, &before), &one);
	uint32_t min = t[0];
	for (unsigned i = 1; i < SAMPLES; i++)
		min = t[i] < min ? t[i] : min;
	uint32_t med = median(t, SAMPLES); /* sorts t */
	print_line(kind, med, got, &loops);
	bench_check(min > 0 && min <= med, "%s: samples inconsistent: min %u, median %u ticks", kind, min, med);
	bench_check(med >= floor_ticks, "%s: %u ticks per exit, below the do-nothing floor %u", kind, med,
		    floor_ticks);
	if (!got)
		return;
	bench_check(loops.exits == SAMPLES * ROUNDS, "%s: the hypervisor counted %llu exits in the timed "
		    "loops, the guest made %u", kind, loops.exits, SAMPLES * ROUNDS);
	bench_check(!loops.msr && !loops.xsave && !loops.vmsave && !loops.vmload && loops.vmwrite <= loops.exits,
		    "%s: the hot path executed msr=%llu xsave=%llu vmsave=%llu vmload=%llu vmwrite=%llu in %llu "
		    "exits", kind, loops.msr, loops.xsave, loops.vmsave, loops.vmload, loops.vmwrite, loops.exits);
}

uint32_t guest_main(uint32_t magic, const struct mb_info *mbi)
{
	(void)magic;
	(void)mbi;
	const char *tpi = cmdline_value("tsc_per_insn");
	if (tpi) {
		tsc_per_insn = 0;
		for (; *tpi >= '0' && *tpi <= '9' && tsc_per_insn < 100000; tpi++)
			tsc_per_insn = tsc_per_insn * 10 + (uint32_t)(*tpi - '0');
		if (*tpi || !tsc_per_insn) {
			printf("bench: tsc_per_insn=%s: not a whole number from 1 to 100000\n",
			       cmdline_value("tsc_per_insn"));
			return EXIT_FAIL;
		}
	}
	struct hc_exit_costs probe;
	if (!exit_costs(HC_KIND_CPUID, &probe)) {
		printf("bench: this hypervisor was built without exit accounting (use make bench)\n");
		return EXIT_FAIL;
	}
	bool amd = cpu_vendor() == VENDOR_AMD;
	/* The PAT Linux programs (WB, WC, UC-, UC, WB, WP, UC-, WT): unlike the power-on value,
	 * which the host keeps, it differs from the host's, so on VMX without the "load
	 * IA32_PAT" controls the autoload lists carry it, as they would for Linux. */
	wrmsr(0x277, 0x0407050600070106ull);
	/* Warm up every path once so one-time costs (logging a port, first-touch) stay out. */
	loop_cpuid(10);
	loop_out(10);
	loop_rdmsr(10);
	if (amd)
		loop_vmmcall(10);
	else
		loop_vmcall(10);

	set_floor(ROUNDS, 2);
	floor_ticks = per_exit(loop_cpuid(ROUNDS), loop_cpuid_empty(ROUNDS), ROUNDS);
	printf("bench: floor %u instr/exit (do-nothing exit: save/restore GPRs, advance RIP, resume)\n",
	       insns(floor_ticks));
	bench_check(floor_ticks > 0, "floor: no figure");

	measure_hot("cpuid", HC_KIND_CPUID, loop_cpuid, loop_cpuid_empty);
	measure_hot("hypercall", HC_KIND_HYPERCALL, amd ? loop_vmmcall : loop_vmcall, loop_hypercall_empty);
	measure_hot("io", HC_KIND_IO, loop_out, loop_out_empty);
	struct hc_exit_costs before;
	if (!exit_costs(HC_KIND_MSR_READ, &before))
		before = (struct hc_exit_costs){ 0 };
	uint32_t t = per_exit(loop_rdmsr(ROUNDS), loop_rdmsr_empty(ROUNDS), ROUNDS);
	report_since("rdmsr", t, HC_KIND_MSR_READ, &before, ROUNDS);
	bench_apic();
	return bench_checks_result();
}
