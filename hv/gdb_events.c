/*
 * The exits the gdb stub takes (see gdb_stop.h): #BP at one of its software breakpoints,
 * #DB for its single step or one of its debug registers, and the end of a step after an
 * instruction the hypervisor carried out. Each queues the stop (VCPU_REQ_GDB on the guest's
 * own CPU, no interrupt needed) for the slow path, where gdb_request_taken reports it. The
 * guest's own #BP and #DB go back to it as they came.
 */
#include "hv/gdb_stop.h"
#include "hv/gdb_vcpu.h"
#include "hv/guest_fetch.h"
#include "hv/vcpu.h"
#include "hv/vcpu_request.h"

void gdb_step_done(struct vcpu *v)
{
	struct gdb_vcpu *g = &gdb_vcpus[v->cpu];
	if (!g->stepping)
		return;
	g->stepping = false;
	g->step_ended = true;
	v->be->gdb_arm(v, gdb_sw_count(&g->brk) != 0, false);
	if (g->event == GDB_EV_NONE)
		g->event = GDB_EV_STEP;
	__atomic_or_fetch(&v->requests, VCPU_REQ_GDB, __ATOMIC_RELAXED); /* this CPU: no kick */
}

bool gdb_owns_db(const struct vcpu *v)
{
	const struct gdb_vcpu *g = &gdb_vcpus[v->cpu];
	return g->stepping || g->step_ended || g->dr_saved;
}

enum exit_action gdb_exit_exception(struct vcpu *v, uint8_t vector)
{
	struct gdb_vcpu *g = &gdb_vcpus[v->cpu];
	if (vector == 3) {
		struct gdb_regs r;
		struct guest_segment cs;
		v->be->gdb_regs(v, &r, false);
		v->be->read_segment(v, SEG_CS, &cs);
		if (!gdb_sw_at(&g->brk, cs.base + r.rip)) {
			if (v->be->gdb_bp_reflects)
				return ACT_REFLECT; /* the guest's own INT3, as it came */
			/* The guest's own INT3: #BP is a trap, delivered with RIP past the INT3
			 * (SDM vol. 3A 6.5), which the intercept left at it. */
			struct guest_mode m;
			v->be->read_mode(v, &m);
			int len = guest_insn_length(&v->mem, &m);
			r.rip += len > 0 ? (uint64_t)len : 1;
			v->be->gdb_regs(v, &r, true);
			v->be->inject_fault(v, 3, 0, 0);
			return ACT_RESUME;
		}
		g->event = GDB_EV_SWBREAK;
		__atomic_or_fetch(&v->requests, VCPU_REQ_GDB, __ATOMIC_RELAXED);
		return ACT_RESUME; /* at the INT3: gdb sees the breakpoint's address */
	}
	bool ours = false;
	if (g->step_ended) {
		g->step_ended = false;
		ours = true;
	}
	uint64_t dr6 = v->be->gdb_dr_read(v, 6);
	int slot = g->dr_saved ? gdb_hw_hit(&g->brk, dr6) : -1;
	if (slot >= 0) {
		v->be->gdb_dr_write(v, 6, dr6 & ~0xfull); /* B0-B3: ours, not the guest's */
		if (g->event == GDB_EV_NONE || g->event == GDB_EV_STEP) {
			g->event = g->brk.hw[slot].type == GDB_HW_EXEC ? GDB_EV_HWBREAK : GDB_EV_WATCH;
			g->watch_addr = g->brk.hw[slot].addr;
		}
		__atomic_or_fetch(&v->requests, VCPU_REQ_GDB, __ATOMIC_RELAXED);
		ours = true;
	}
	return ours ? ACT_RESUME : ACT_REFLECT;
}
