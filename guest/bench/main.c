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
 */
#include "bench.h"
#include "cpu.h"
#include "guest.h"
#include "hv/hypercall_abi.h"
#include "printf.h"

const char guest_name[] = "bench";

uint64_t loop_cpuid(uint32_t n), loop_cpuid_empty(uint32_t n);
uint64_t loop_vmmcall(uint32_t n), loop_vmcall(uint32_t n), loop_hypercall_empty(uint32_t n);
uint64_t loop_out(uint32_t n), loop_out_empty(uint32_t n);
uint64_t loop_rdmsr(uint32_t n), loop_rdmsr_empty(uint32_t n);

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

uint32_t per_exit(uint64_t with, uint64_t without, uint32_t n)
{
	uint32_t d = (uint32_t)(with - without);
	return (d + n / 2) / n;
}

static uint32_t floor_ticks;

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

void report(const char *kind, uint32_t ticks, uint32_t hc_kind)
{
	report_since(kind, ticks, hc_kind, NULL);
}

void report_since(const char *kind, uint32_t ticks, uint32_t hc_kind, const struct hc_exit_costs *since)
{
	struct hc_exit_costs after;
	uint32_t ratio100 = floor_ticks ? (ticks * 100 + floor_ticks / 2) / floor_ticks : 0;
	printf("bench: %s %u instr/exit", kind, ticks);
	/* Averages over every exit of this kind since the guest started (or since `since`). */
	bool got = exit_costs(hc_kind, &after);
	if (got && since) {
		after.exits -= since->exits;
		after.msr -= since->msr;
		after.xsave -= since->xsave;
		after.vmsave -= since->vmsave;
		after.vmload -= since->vmload;
		after.vmwrite -= since->vmwrite;
		after.autoload -= since->autoload;
	}
	if (got && after.exits) {
		uint32_t n = (uint32_t)after.exits;
		print_avg("msr", after.msr, n);
		print_avg("xsave", after.xsave, n);
		print_avg("vmsave", after.vmsave, n);
		print_avg("vmload", after.vmload, n);
		print_avg("vmwrite", after.vmwrite, n);
		print_avg("autoload", after.autoload, n);
	} else {
		printf(" msr=? xsave=? vmsave=? vmload=? vmwrite=? autoload=?");
	}
	printf(" ratio=%u.%02u\n", ratio100 / 100, ratio100 % 100);
}

uint32_t guest_main(uint32_t magic, const struct mb_info *mbi)
{
	(void)magic;
	(void)mbi;
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
	       floor_ticks);

	report("cpuid", per_exit(loop_cpuid(ROUNDS), loop_cpuid_empty(ROUNDS), ROUNDS), HC_KIND_CPUID);
	uint64_t hc = amd ? loop_vmmcall(ROUNDS) : loop_vmcall(ROUNDS);
	report("hypercall", per_exit(hc, loop_hypercall_empty(ROUNDS), ROUNDS), HC_KIND_HYPERCALL);
	report("io", per_exit(loop_out(ROUNDS), loop_out_empty(ROUNDS), ROUNDS), HC_KIND_IO);
	report("rdmsr", per_exit(loop_rdmsr(ROUNDS), loop_rdmsr_empty(ROUNDS), ROUNDS), HC_KIND_MSR_READ);
	bench_apic();
	return EXIT_PASS;
}
