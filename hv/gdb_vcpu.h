/* What the gdb stub keeps per guest (hv/gdb_stop.c, hv/gdb_target.c). Internal. */
#ifndef HV_GDB_VCPU_H
#define HV_GDB_VCPU_H

#include "hv/gdb_break.h"
#include "hv/gdb_stub.h"
#include "hv/percpu.h"
#include "hv/types.h"

struct vcpu;

enum gdb_event { GDB_EV_NONE, GDB_EV_ATTACH, GDB_EV_INTERRUPT, GDB_EV_SWBREAK, GDB_EV_HWBREAK,
		 GDB_EV_WATCH, GDB_EV_STEP };

struct gdb_vcpu {
	struct gdb_breaks brk;
	enum gdb_event event;    /* a stop this guest must report (own CPU only) */
	uint64_t watch_addr;     /* GDB_EV_WATCH: the watched address that was hit */
	bool stepping;           /* a single step is armed */
	bool step_ended;         /* the step just ended (gdb_step_done) */
	bool resume_rf;          /* resume with RFLAGS.RF (stopped at an instruction breakpoint) */
	bool dr_saved;           /* the guest's own DR0-3 and DR7 are kept below */
	uint64_t guest_dr[4], guest_dr7;
	unsigned noticed_reads;  /* the mode notice was given for this description read ... */
	enum gdb_arch noticed_arch; /* ... and this mode (gdb_stop.c, mode_notice) */
};

/* Indexed by CPU. */
extern struct gdb_vcpu gdb_vcpus[HV_MAX_CPUS];

/* The struct gdb_target for the guest of the calling CPU (gdb_target.c). */
extern const struct gdb_target gdb_this_guest;
/* Thread id of a guest: its CPU + 1. */
unsigned gdb_tid(const struct vcpu *v);
struct vcpu *gdb_vcpu_of_tid(unsigned tid);
/* Load what gdb set (the #BP intercept, debug registers, a step) into v's backend state;
 * with none left, the guest's own debug registers go back. */
void gdb_target_arm(struct vcpu *v);
/* Take out every breakpoint and watchpoint of v and give its debug registers back. */
void gdb_target_release(struct vcpu *v);

#endif
