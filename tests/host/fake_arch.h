/*
 * The fake arch layer host tests link instead of arch/x86: a synthetic CPUID
 * table, recorded XSETBV writes, a platform that records how the run ended,
 * and a fake virtualization backend whose guest state is a plain struct.
 */
#ifndef TESTS_HOST_FAKE_ARCH_H
#define TESTS_HOST_FAKE_ARCH_H

#include <setjmp.h>
#include "hv/cpuid_policy.h"
#include "hv/vcpu.h"

struct fake_cpuid_entry {
	uint32_t leaf, subleaf;
	struct cpuid_value v;
};

/* The host CPU the fakes model; tests may point it at their own table. */
extern const struct fake_cpuid_entry *fake_cpuid_table;
extern size_t fake_cpuid_count;
extern uint64_t fake_xcr0_supported;
/* When set, host_cpuid() answers from this function instead of fake_cpuid_table. */
extern cpuid_source_fn fake_cpuid_override;
extern uint64_t fake_msr[2]; /* the hardware IA32_XFD and IA32_XFD_ERR */
extern int fake_xrstor_calls;
/* At the last host_xrstor: its RFBM (mask AND XCR0), the components it put in their init
 * state (RFBM AND NOT the image's XSTATE_BV) and the hardware IA32_XFD. */
extern uint64_t fake_xrstor_rfbm, fake_xrstor_init, fake_xrstor_xfd;
extern int fake_tilerelease_calls;
extern uint64_t fake_tilerelease_xcr0, fake_tilerelease_xfd;
extern uint64_t fake_xcr0; /* last value passed to host_xsetbv */
extern uint64_t fake_rtc_seconds; /* platform_rtc_seconds() */
extern int fake_xsetbv_calls;
/* The last host_cache_writeback() range, and how many calls there were. */
extern const void *fake_writeback_base;
extern uint64_t fake_writeback_size;
extern int fake_writeback_calls;
/* host_rdtsc() returns fake_tsc. platform_timer_arm records its deadline and counts calls;
 * deadlines beyond fake_timer_reach (when non-zero) come back clamped to it. */
extern uint64_t fake_tsc;
#define FAKE_TSC_KHZ 2500000ull /* platform_tsc_khz(): 2.5 GHz */
extern uint64_t fake_timer_deadline, fake_timer_reach;
extern int fake_timer_arms;

/* platform_finish/platform_park longjmp here when fake_platform_armed is set. */
extern jmp_buf fake_platform_jmp;
extern bool fake_platform_armed;
extern int fake_finish_how; /* -1 until platform_finish runs */

/* Fake backend: guest mode and field MSRs live in this struct (v->arch points at it). */
struct fake_guest {
	struct guest_mode mode;
	uint64_t efer, pat;
	int field_reads, field_writes;
	bool xfd_write_intercept, nm_intercept;
	/* Event delivery (hv/vintr.c): the state event_state reports; inject_event sets
	 * ev.queued, as a backend's queued event would. */
	struct guest_events ev;
	int injects, nmi_injects;
	uint8_t last_vector;
	bool win_irq, win_nmi; /* the windows request_window last asked for */
	int window_calls, waits;
	/* wait_interrupt runs this when set; else the fake host timer "fires": fake_tsc jumps
	 * to its deadline (a wait with the timer disarmed would never end: abort). */
	void (*on_wait)(struct vcpu *v);
	/* Segment registers read_segment reports (ES..GS), and the faults inject_fault queued. */
	struct guest_segment segs[6];
	int faults;
	uint8_t fault_vector;
	uint32_t fault_error;
	uint64_t fault_cr2;
	/* What the snapshot op reports beyond mode/segs/ev (hv/guest_state.h), and its calls. */
	struct guest_state state;
	int snapshots;
};
extern const struct virt_backend fake_backend;

/* A vcpu with guest memory of mem_size bytes, the fake backend and a CPUID view. */
/* The backend's vcpu_reset calls so far; set fake_reset_fails to make the next ones fail. */
extern int fake_resets;
extern bool fake_reset_fails;
struct vcpu *fake_vcpu_new(uint64_t mem_size);
void fake_vcpu_free(struct vcpu *v);
/* platform_kick calls and the last APIC ID kicked. */
extern uint32_t fake_kicks, fake_kick_apic_id;
/* Called by platform_kick when set (a test's stand-in for the target CPU). */
extern void (*fake_kick_hook)(uint32_t apic_id);
/* Added to fake_tsc by every host_rdtsc() (0: time stands still). */
extern uint64_t fake_tsc_step;
/* host_xgetbv1() returns fake_xcr0 & fake_xinuse. */
extern uint64_t fake_xinuse;
/* An RDMSR/WRMSR exit through hv_handle_exit (EDX:EAX = val for a write; a read's result
 * is left in the guest's EDX:EAX). */
enum exit_action fake_msr_exit(struct vcpu *v, uint32_t index, bool write, uint64_t val);
/* An exit record of kind k with instruction length len, everything else zero. */
struct vm_exit fake_exit(enum exit_kind k, uint32_t len);

#endif
