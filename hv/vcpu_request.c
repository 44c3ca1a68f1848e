/* Cross-CPU requests to a guest's hypervisor (see vcpu_request.h). */
#include "hv/vcpu_request.h"
#include "hv/console_input.h"
#include "hv/gdb_stop.h"
#include "hv/vuart_irq.h"
#include "hv/guest_restart.h"
#include "hv/percpu.h"
#include "hv/host_cpu.h"
#include "hv/platform.h"
#include "hv/vcpu.h"

void vcpu_request(struct vcpu *v, uint32_t what, uint32_t from, const char *why)
{
	v->req_from = from;
	v->req_why = why;
	/* The reason is published before the bit (release); the target reads the bit, then
	 * the reason (acquire). The interrupt is sent after both. */
	__atomic_or_fetch(&v->requests, what, __ATOMIC_RELEASE);
	platform_kick(hv_cpus[v->cpu].apic_id);
}

void vcpu_request_stop(struct vcpu *v, uint32_t from, const char *why)
{
	vcpu_request(v, VCPU_REQ_STOP, from, why);
}

/*
 * The target fills v->snap between two increments of snap_gen (odd meanwhile), then
 * publishes the request number it read first. A requester takes the copy only when it
 * saw its own number and the same even snap_gen before and after copying: a late answer to
 * an earlier request that timed out can then never hand it a half-written snapshot.
 */
static void answer_snapshot(struct vcpu *v)
{
	uint32_t seq = __atomic_load_n(&v->snap_seq, __ATOMIC_ACQUIRE);
	__atomic_add_fetch(&v->snap_gen, 1, __ATOMIC_SEQ_CST);
	guest_state_take(v, &v->snap);
	__atomic_add_fetch(&v->snap_gen, 1, __ATOMIC_SEQ_CST);
	__atomic_store_n(&v->snap_done, seq, __ATOMIC_RELEASE);
}

static bool copy_answer(struct vcpu *v, uint32_t seq, struct guest_state *out)
{
	uint32_t gen = __atomic_load_n(&v->snap_gen, __ATOMIC_ACQUIRE);
	if ((gen & 1) || __atomic_load_n(&v->snap_done, __ATOMIC_ACQUIRE) != seq)
		return false;
	*out = v->snap;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return __atomic_load_n(&v->snap_gen, __ATOMIC_RELAXED) == gen;
}

static bool live(const struct vcpu *v)
{
	return v->be && v->start_tsc &&
	       __atomic_load_n(&v->end.kind, __ATOMIC_ACQUIRE) == GUEST_RUNNING;
}

int vcpu_request_snapshot(struct vcpu *v, uint32_t from, struct guest_state *out,
			  uint64_t timeout_us)
{
	if (!live(v))
		return VCPU_SNAP_NOT_RUNNING;
	if (from == v->cpu) { /* the caller is this guest's own slow path */
		guest_state_take(v, out);
		return VCPU_SNAP_OK;
	}
	spin_lock(&v->snap_lock);
	uint32_t seq = __atomic_add_fetch(&v->snap_seq, 1, __ATOMIC_RELEASE);
	__atomic_or_fetch(&v->requests, VCPU_REQ_SNAPSHOT, __ATOMIC_RELEASE);
	platform_kick(hv_cpus[v->cpu].apic_id);
	uint64_t start = host_rdtsc();
	uint64_t ticks = timeout_us * platform_tsc_khz() / 1000;
	int rc = VCPU_SNAP_NO_ANSWER;
	for (;;) {
		if (copy_answer(v, seq, out)) {
			rc = VCPU_SNAP_OK;
			break;
		}
		if (!live(v)) {
			rc = VCPU_SNAP_NOT_RUNNING;
			break;
		}
		if (host_rdtsc() - start >= ticks)
			break;
		__builtin_ia32_pause();
	}
	spin_unlock(&v->snap_lock);
	return rc;
}

int vcpu_take_requests(struct vcpu *v)
{
	uint32_t req = __atomic_exchange_n(&v->requests, 0, __ATOMIC_ACQUIRE);
	if (req & VCPU_REQ_CONSOLE) {
		/* This is the console CPU: input may go to its own guest too (VCPU_REQ_RX). */
		console_input_poll();
		req |= __atomic_exchange_n(&v->requests, 0, __ATOMIC_ACQUIRE);
	}
	if (req & VCPU_REQ_RX)
		vuart_irq_sync(v); /* input arrived: the receive interrupt, if enabled */
	if (req & VCPU_REQ_SNAPSHOT)
		answer_snapshot(v); /* before a stop in the same batch: the state it stopped in */
	if (req & VCPU_REQ_STOP) {
		vcpu_stop(v, "stopped by the hypervisor at the request of cpu %u (%s)", v->req_from,
			  v->req_why ? v->req_why : "no reason given");
		return 1;
	}
	if (req & VCPU_REQ_RESTART) { /* hv/guest_restart.c, between this run and the next */
		if (req & VCPU_REQ_GDB) /* gdb's request waits for the restarted guest */
			__atomic_or_fetch(&v->requests, VCPU_REQ_GDB, __ATOMIC_RELAXED);
		guest_restart_due(v, "restarted at the request of cpu %u (%s)", v->req_from,
				  v->req_why ? v->req_why : "no reason given");
		return 1;
	}
	if (req & VCPU_REQ_GDB)
		return gdb_request_taken(v); /* waits here while gdb keeps the guest stopped */
	return 0;
}
