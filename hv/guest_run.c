/* Per-CPU guest execution and the end-of-run summary. */
#include "hv/console.h"
#include "hv/console_input.h"
#include "hv/debug_nmi.h"
#include "hv/fmt.h"
#include "hv/gdb_stop.h"
#include "hv/guest_restart.h"
#include "hv/guest_run.h"
#include "hv/guest_setup.h"
#include "hv/host_cpu.h"
#include "hv/log.h"
#include "hv/platform.h"
#include "hv/time_limit.h"
#include "hv/vio.h"

static uint32_t guests_total;
static uint32_t guests_done, guests_passed, guests_skipped, guests_restarts;
static const struct virt_backend *backend;
static enum hv_on_finish finish_how;
static struct hv_debug debug = HV_DEBUG_NONE;

void guest_run_init(uint32_t nguests, const struct virt_backend *be, enum hv_on_finish on_finish,
		    const struct hv_debug *dbg)
{
	guests_total = nguests;
	guests_done = guests_passed = guests_skipped = guests_restarts = 0;
	backend = be;
	finish_how = on_finish;
	debug = *dbg;
}

/* [hv] debug_fault_cpu: a deliberate #UD in the hypervisor, so the crash report and the
 * containment of a hypervisor fault (this CPU's guest stopped, the others finish) can be
 * tested end to end. */
static void maybe_fault(struct percpu *pc)
{
	if (pc->index == debug.fault_cpu)
		__asm__ __volatile__("ud2");
}

/* [hv] debug_pending_irq: the last thing before the first VM entry, a physical interrupt
 * left requested in this CPU's local APIC, as firmware or a device could leave one. With
 * interrupts off nothing takes it before the entry; then it must exit ("host-irq" in the
 * exit counts) and never reach the guest (docs/interrupts-at-takeover.md). */
static void leave_irq_pending(struct percpu *pc)
{
	bool pending = platform_leave_irq_pending(HV_DEBUG_IRQ_VECTOR);
	hv_printf("hv: debug_pending_irq: cpu %u enters its guest with vector 0x%x %s\n", pc->index,
		  HV_DEBUG_IRQ_VECTOR,
		  pending ? "pending in its local APIC" : "NOT pending (the self-IPI was not accepted)");
}

/* [hv] debug_stack_overflow_cpu: recursion without end, each call keeping a frame, until a
 * push or call meets the guard page below the stack: the #PF cannot be delivered on that
 * stack, so the CPU raises #DF on its own stack and the crash report names the overflow
 * (arch/x86/crash.c). The depth counter is never reached; it keeps the recursion finite
 * to the compiler, and the volatile frame keeps it a real recursion, not a loop. */
static __attribute__((noinline)) uint64_t overflow_stack(volatile uint64_t *depth)
{
	volatile uint64_t frame[16];
	frame[0] = ++*depth;
	if (*depth == ~0ull)
		return frame[0];
	return overflow_stack(depth) + frame[0];
}

static void maybe_overflow_stack(struct percpu *pc)
{
	if (pc->index != debug.stack_overflow_cpu)
		return;
	hv_printf("hv: debug_stack_overflow: cpu %u recurses until its stack hits the guard page\n",
		  pc->index);
	volatile uint64_t depth = 0;
	overflow_stack(&depth);
}

static void print_end(struct vcpu *v)
{
	const char *name = v->cfg->name;
	/* A guest that restarted (hv/guest_restart.h) says how often after its end. */
	char rs[40] = "";
	if (v->restarts)
		hv_snprintf(rs, sizeof(rs), " after %u restart%s", v->restarts, v->restarts > 1 ? "s" : "");
	switch (v->end.kind) {
	case GUEST_PASSED:
		hv_printf("hv: guest %s cpu %u: passed%s\n", name, v->cpu, rs);
		break;
	case GUEST_SKIPPED:
		hv_printf("hv: guest %s cpu %u: skipped%s\n", name, v->cpu, rs);
		break;
	case GUEST_POWERED_OFF: /* ACPI S5 (hv/guest_power.h): an end as good as a pass */
		hv_printf("hv: guest %s cpu %u: powered off%s\n", name, v->cpu, rs);
		break;
	case GUEST_FAILED: /* the status QEMU's isa-debug-exit would give, then what was written */
		hv_printf("hv: guest %s cpu %u: failed (status %llu, exit-port value 0x%x)%s\n", name,
			  v->cpu, (unsigned long long)EXIT_STATUS_OF(v->end.status), v->end.status, rs);
		break;
	default:
		hv_printf("hv: guest %s cpu %u: stopped (%s)%s\n", name, v->cpu,
			  v->end.kind == GUEST_STOPPED ? v->end.reason : "ended without a reason", rs);
		break;
	}
	char line[256];
	size_t n = 0;
	uint64_t total = 0;
	for (int k = 0; k < EXIT_KIND_COUNT; k++) {
		total += v->exits[k];
		if (v->exits[k] && n < sizeof(line))
			n += (size_t)hv_snprintf(line + n, sizeof(line) - n, " %s=%llu",
						 exit_kind_name((enum exit_kind)k),
						 (unsigned long long)v->exits[k]);
	}
	line[MIN(n, sizeof(line) - 1)] = 0;
	hv_printf("hv: guest %s exits: %llu total%s\n", name, (unsigned long long)total, line);
#ifdef HV_BENCH
	/* Under QEMU -icount shift=0 on one CPU the TSC counts executed instructions: what the
	 * guest's run cost, hypervisor included (make bench-linux). */
	if (v->start_tsc && v->end_tsc >= v->start_tsc)
		hv_printf("hv: guest %s ran %llu TSC ticks\n", name,
			  (unsigned long long)(v->end_tsc - v->start_tsc));
#endif
}

/* What the console limits cost this guest (hv/console.h, hv/log_once.h), when anything. */
static void print_console_limits(const struct vcpu *v)
{
	if (v->uart.dropped || v->log_once.suppressed)
		hv_printf("hv: guest %s console: %llu lines dropped (console limit), %llu logged-once "
			  "messages suppressed\n", v->cfg->name, (unsigned long long)v->uart.dropped,
			  (unsigned long long)v->log_once.suppressed);
}

void guest_finished(struct vcpu *v)
{
	v->end_tsc = host_rdtsc();
	gdb_guest_ended(v); /* a gdb session handed to it or waiting for it goes on without it */
	console_buffer_this_cpu(false); /* what this CPU queued goes out first, then the summary */
	vuart_flush(&v->uart);
	print_end(v);
	print_console_limits(v);
	if (v->end.kind == GUEST_PASSED || v->end.kind == GUEST_POWERED_OFF)
		__atomic_add_fetch(&guests_passed, 1, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&guests_restarts, v->restarts, __ATOMIC_SEQ_CST);
	if (v->end.kind == GUEST_SKIPPED)
		__atomic_add_fetch(&guests_skipped, 1, __ATOMIC_SEQ_CST);
	if (__atomic_add_fetch(&guests_done, 1, __ATOMIC_SEQ_CST) != guests_total)
		return;
	debug_nmi_wait_report(); /* [hv] debug_nmi_cpu: its count comes before the summary */
	uint32_t passed = __atomic_load_n(&guests_passed, __ATOMIC_SEQ_CST);
	uint32_t skipped = __atomic_load_n(&guests_skipped, __ATOMIC_SEQ_CST);
	uint32_t restarts = __atomic_load_n(&guests_restarts, __ATOMIC_SEQ_CST);
	/* ", K skipped" and ", R restarts" only when there are some: the line stays as it was
	 * otherwise. */
	char skip_text[56] = "";
	size_t sn = 0;
	if (skipped)
		sn = (size_t)hv_snprintf(skip_text, sizeof(skip_text), ", %u skipped", skipped);
	if (restarts)
		hv_snprintf(skip_text + sn, sizeof(skip_text) - sn, ", %u restart%s", restarts,
			    restarts > 1 ? "s" : "");
	hv_printf("hv: all guests done: %u passed, %u failed%s\n", passed,
		  guests_total - passed - skipped, skip_text);
	console_flush_all();
	platform_finish(finish_how);
}

/* The console CPU without a guest to run (none, or it has ended): it serves serial input
 * (hv/console_input.h) until the run ends, waiting for interrupts in between. Every other
 * such CPU parks. */
static NORETURN void idle(struct percpu *pc)
{
	if (pc->index != HV_CONSOLE_CPU)
		platform_park();
	for (;;) {
		console_input_poll();
		console_drain();
		/* The monitor's tick, and while console lines are queued every millisecond (the
		 * timer interrupt writes them out); else no timer. */
		uint64_t t = console_input_tick_deadline();
		if (console_pending()) {
			uint64_t soon = host_rdtsc() + platform_tsc_khz();
			t = t && t < soon ? t : soon;
		}
		platform_timer_arm(t);
		platform_wait_interrupt();
	}
}

void guest_run_cpu(struct percpu *pc)
{
	struct vcpu *v = pc->vcpu;
	if (!v) {
		if (debug_nmi_sender(pc->index, debug.nmi_cpu))
			debug_nmi_storm(pc->index, debug.nmi_cpu);
		if (debug_nmi_sender(pc->index, debug.stop_cpu))
			debug_stop_request(pc->index, debug.stop_cpu);
		idle(pc);
	}
	char err[160];
	maybe_fault(pc);
	maybe_overflow_stack(pc);
	if (v->end.kind == GUEST_RUNNING) {
		if (backend->cpu_enable(pc, err, sizeof(err)) ||
		    backend->vcpu_create(v, err, sizeof(err))) {
			vcpu_stop(v, "%s", err);
		} else {
			v->be = backend;
			struct cpuid_backend_caps caps;
			backend->cpuid_caps(v, &caps);
			guest_cpuid_setup(v, &caps);
			if (pc->index == debug.dirty_xstate_cpu)
				hv_printf("hv: debug_dirty_xstate: cpu %u leaves extended state 0x%llx "
					  "out of its init state before its guest starts\n",
					  pc->index, (unsigned long long)xstate_debug_dirty(v));
			xstate_guest_start(v);
			hv_printf("hv: guest %s starting on cpu %u (%llu MiB at 0x%llx, entry 0x%x)\n",
				  v->cfg->name, pc->index, (unsigned long long)(v->mem.size >> 20),
				  (unsigned long long)v->mem_hpa, v->boot.entry);
			if (pc->index == debug.bad_entry_cpu) {
				hv_printf("hv: debug_bad_entry: cpu %u enters its guest with a bad %s\n",
					  pc->index, debug.bad_entry_control ? "control" : "guest state");
				backend->debug_break_entry(v, debug.bad_entry_control);
			}
			if (pc->index == debug.pending_irq_cpu)
				leave_irq_pending(pc);
			time_limit_start(v); /* [guest] timeout: from here */
			console_buffer_this_cpu(true); /* prints on this CPU no longer wait */
			v->start_tsc = host_rdtsc(); /* run time (the monitor's guests) */
			backend->vcpu_run(v);
			/* A reset the guest asked for, or another CPU (hv/guest_restart.h): the same
			 * guest again, from its start state. */
			while (guest_restart_wanted(v) && !guest_restart(v))
				backend->vcpu_run(v);
			if (v->host_timer_want)
				platform_timer_arm(0); /* the guest has ended: its timer goes too */
		}
	}
	guest_finished(v);
	idle(pc);
}
