/* The gdb stub at run time: the session, the stop and hand-over protocol (see gdb_stop.h). */
#include "hv/gdb_stop.h"
#include "hv/gdb_port.h"
#include "hv/gdb_vcpu.h"
#include "hv/fmt.h"
#include "hv/lib.h"
#include "hv/log.h"
#include "hv/percpu.h"
#include "hv/platform.h"
#include "hv/spinlock.h"
#include "hv/vcpu.h"
#include "hv/vcpu_request.h"

#define RING_SIZE 8192 /* > one packet gdb sends before it waits for the answer */

static struct {
	bool enabled;
	spinlock_t lock; /* the ring's producer side and every session change below */
	uint8_t ring[RING_SIZE];
	volatile uint32_t head, tail; /* producer (head) under lock; consumer: the owner */
	/* The session. */
	bool attached;
	bool stopped;          /* gdb sees every thread stopped */
	int owner;             /* the CPU running the stub, -1 none */
	int prev_owner;        /* the CPU that handed the stub to owner (it waits meanwhile) */
	uint32_t gen;          /* counts resumes: a waiting guest goes on once it moves */
	int asked;             /* the CPU asked to stop for an interrupt/attach, -1 none */
	uint32_t end_cpu;      /* [hv] debug_gdb_end_cpu */
	unsigned focus;        /* the thread gdb looked at last */
	/* The stub and its receiver: used by the owner only. */
	struct gdb_rx rx;
	struct gdb_stub stub;
	char out[2 * GDB_PACKET_MAX + 8];
	size_t out_len;
} gs = { .owner = -1, .prev_owner = -1, .asked = -1 };

bool gdb_init(const struct hv_config *cfg, const struct virt_backend *be)
{
	if (cfg->gdb_off) {
		hv_printf("hv: gdb stub off ([hv] gdb = off)\n");
		return false;
	}
	if (!be->gdb_regs) {
		hv_printf("hv: gdb stub off: not available on %s yet\n", be->name);
		return false;
	}
	if (!gdb_port_init()) {
		hv_printf("hv: gdb stub off: no UART at COM2 (0x%x)\n", GDB_COM2_PORT);
		return false;
	}
	gs.enabled = true;
	gs.end_cpu = cfg->debug.gdb_end_cpu;
	gs.stub.t = &gdb_this_guest;
	gdb_rx_reset(&gs.rx);
	hv_printf("hv: gdb stub on COM2 (0x%x, 115200 8N1): target remote the port, each guest is a "
		  "thread\n", GDB_COM2_PORT);
	return true;
}

/* Move COM2's waiting bytes into the ring (lock held). */
static void pump_locked(void)
{
	int c;
	while (gs.head - gs.tail < RING_SIZE && (c = gdb_port_rx()) >= 0) {
		gs.ring[gs.head % RING_SIZE] = (uint8_t)c;
		__atomic_store_n(&gs.head, gs.head + 1, __ATOMIC_RELEASE);
	}
}

/* The guest an interrupt or an attach stops: the one gdb looked at last, else the first. */
static struct vcpu *focus_guest(void)
{
	struct vcpu *v = gdb_vcpu_of_tid(gs.focus);
	for (unsigned t = 1; !v && t <= hv_ncpus; t++)
		v = gdb_vcpu_of_tid(t);
	return v;
}

static void ask(struct vcpu *v)
{
	__atomic_or_fetch(&v->requests, VCPU_REQ_GDB, __ATOMIC_RELEASE);
	platform_kick(hv_cpus[v->cpu].apic_id);
}

void gdb_irq(void)
{
	if (!gs.enabled)
		return;
	spin_lock(&gs.lock);
	pump_locked();
	if (gs.owner < 0 && !gs.stopped && gs.asked < 0) {
		/* Nobody serves gdb: does it want someone? Ctrl-C is taken here; a packet stays
		 * in the ring for the stub. */
		for (uint32_t i = gs.tail; i != gs.head; i++) {
			uint8_t c = gs.ring[i % RING_SIZE];
			if (c == 0x03 || c == '$') {
				struct vcpu *v = focus_guest();
				if (v) {
					gs.asked = (int)v->cpu;
					ask(v);
				}
				break;
			}
		}
	}
	spin_unlock(&gs.lock);
}

/* Owner: the next byte from gdb, or -1. */
static int next_byte(void)
{
	if (gs.tail == __atomic_load_n(&gs.head, __ATOMIC_ACQUIRE)) {
		spin_lock(&gs.lock);
		pump_locked();
		spin_unlock(&gs.lock);
		if (gs.tail == __atomic_load_n(&gs.head, __ATOMIC_ACQUIRE))
			return -1;
	}
	uint8_t c = gs.ring[gs.tail % RING_SIZE];
	__atomic_store_n(&gs.tail, gs.tail + 1, __ATOMIC_RELEASE);
	return c;
}

static void send_packet(const char *payload, size_t n)
{
	gs.out_len = gdb_frame(gs.out, sizeof(gs.out), payload, n);
	gdb_port_tx(gs.out, gs.out_len);
}

static enum gdb_stop_why why_of(enum gdb_event e)
{
	switch (e) {
	case GDB_EV_INTERRUPT: return GDB_STOP_INTERRUPT;
	case GDB_EV_SWBREAK: return GDB_STOP_SWBREAK;
	case GDB_EV_HWBREAK: return GDB_STOP_HWBREAK;
	case GDB_EV_WATCH: return GDB_STOP_WATCH;
	case GDB_EV_STEP: return GDB_STOP_STEP;
	default: return GDB_STOP_ATTACH;
	}
}

/* Lock held: every waiting guest goes on; gdb sees them running. */
static void resume_all_locked(void)
{
	gs.stopped = false;
	gs.owner = -1;
	gs.gen++;
}

enum serve_end { SERVE_RESUMED, SERVE_HANDED_OVER, SERVE_KILLED };

/* Apply a resume command to the serving guest. */
static void prepare_resume(struct vcpu *v, bool step)
{
	struct gdb_vcpu *g = &gdb_vcpus[v->cpu];
	if (gs.stub.step_addr_set || g->resume_rf) {
		struct gdb_regs r;
		v->be->gdb_regs(v, &r, false);
		if (gs.stub.step_addr_set)
			r.rip = gs.stub.step_addr;
		if (g->resume_rf)
			r.rflags |= BIT(16); /* RF: the instruction breakpoint does not hit again */
		v->be->gdb_regs(v, &r, true);
		g->resume_rf = false;
	}
	g->stepping = step;
	g->step_ended = false; /* no #DB follows a step that ended without one (VMX MTF) */
	gdb_target_arm(v);
}

/* The stub loop, on the stopped guest's CPU. */
static enum serve_end serve(struct vcpu *v)
{
	for (;;) {
		int c = next_byte();
		if (c < 0) {
			__builtin_ia32_pause();
			continue;
		}
		enum gdb_rx_event ev = gdb_rx_byte(&gs.rx, (uint8_t)c);
		if (ev == GDB_RX_BAD) {
			gdb_port_tx("-", 1);
			continue;
		}
		if (ev == GDB_RX_NAK) {
			gdb_port_tx(gs.out, gs.out_len);
			continue;
		}
		if (ev != GDB_RX_PACKET)
			continue; /* acks; a Ctrl-C while stopped means nothing */
		gdb_port_tx("+", 1);
		if (!gs.attached) { /* a new session: gdb reads its description afresh */
			gs.stub.tdesc_read = false;
			gs.stub.gone = 0;
		}
		gs.attached = true;
		enum gdb_action act = gdb_stub_handle(&gs.stub, gs.rx.buf, gs.rx.len);
		switch (act) {
		case GDB_ACT_REPLY:
			send_packet(gs.stub.reply, gs.stub.reply_len);
			break;
		case GDB_ACT_SWITCH: {
			send_packet(gs.stub.reply, gs.stub.reply_len);
			/* Under the lock against gdb_guest_ended: a guest that ends from here on
			 * hands the stub back to this CPU. */
			spin_lock(&gs.lock);
			struct vcpu *to = gdb_vcpu_of_tid(gs.stub.switch_to);
			if (to) {
				gs.owner = (int)to->cpu;
				gs.prev_owner = (int)v->cpu;
				gs.focus = gs.stub.switch_to;
			}
			spin_unlock(&gs.lock);
			if (!to) { /* it ended since the stub looked: this CPU answers for it */
				gs.stub.gone = gs.stub.switch_to;
				break;
			}
			ask(to); /* it stops (if it runs) and serves; this guest waits meanwhile */
			return SERVE_HANDED_OVER;
		}
		case GDB_ACT_CONTINUE:
		case GDB_ACT_STEP:
			prepare_resume(v, act == GDB_ACT_STEP);
			spin_lock(&gs.lock);
			gs.focus = gdb_tid(v);
			resume_all_locked();
			spin_unlock(&gs.lock);
			return SERVE_RESUMED;
		case GDB_ACT_DETACH:
			send_packet(gs.stub.reply, gs.stub.reply_len);
			/* fall through */
		case GDB_ACT_KILL:
			spin_lock(&gs.lock);
			gs.attached = false;
			resume_all_locked();
			spin_unlock(&gs.lock);
			/* The others give their debug state back as they go on, or at once when asked
			 * (gdb_request_taken). */
			for (unsigned t = 1; t <= hv_ncpus; t++) {
				struct vcpu *o = gdb_vcpu_of_tid(t);
				if (o && o != v)
					ask(o);
			}
			if (act == GDB_ACT_KILL) {
				gdb_target_release(v);
				vcpu_stop(v, "killed by gdb");
				return SERVE_KILLED;
			}
			return SERVE_RESUMED;
		}
	}
}

/* Owner, before a stop reply: when v's mode no longer matches the description gdb holds,
 * tell the user once (per guest, mode and description read) in an 'O' packet, which gdb
 * prints (GDB manual E.3 "Stop Reply Packets", O XX...). Until gdb reads a description again
 * the registers keep its layout (gdb_regs_view). gdb 13 reads one on `target remote` (or
 * `unset tdesc filename` while connected) and accepts it only when its address size matches
 * the architecture it has (the ELF file's, or `set architecture`), which it lets the user
 * change only while it holds no description of the other size: hence the four steps. */
static void mode_notice(struct vcpu *v)
{
	struct gdb_vcpu *g = &gdb_vcpus[v->cpu];
	enum gdb_arch now = gdb_this_guest.arch();
	if (!gs.stub.tdesc_read || now == gs.stub.tdesc_arch ||
	    (g->noticed_reads == gs.stub.tdesc_reads && g->noticed_arch == now))
		return;
	g->noticed_reads = gs.stub.tdesc_reads;
	g->noticed_arch = now;
	bool lm = now == GDB_ARCH_AMD64;
	char msg[320];
	int n = hv_snprintf(msg, sizeof(msg),
			    "hv: guest %s (thread %u) is now %s long mode: gdb's %s description shows "
			    "%s; for the %s one: detach, `unset tdesc filename`, `set architecture %s`, "
			    "`target remote` again\n",
			    v->cfg->name, gdb_tid(v), lm ? "in" : "out of", lm ? "i386" : "amd64",
			    lm ? "the low halves of its registers" : "its registers zero-extended",
			    lm ? "amd64" : "i386", lm ? "i386:x86-64" : "i386");
	size_t len = MIN((size_t)n, sizeof(msg) - 1);
	char pkt[1 + 2 * sizeof(msg)];
	pkt[0] = 'O';
	gdb_hex_encode(pkt + 1, (const uint8_t *)msg, len);
	send_packet(pkt, 1 + 2 * len);
}

void gdb_guest_ended(struct vcpu *v)
{
	if (!gs.enabled)
		return;
	spin_lock(&gs.lock);
	if (gs.owner == (int)v->cpu) {
		/* gdb handed the stub to v (Hg), which ended before it served (a CPU never ends
		 * its guest while it serves): the CPU that handed it over, waiting, takes the
		 * session back and answers for the thread gone (gdb_stub.h, gone). */
		gs.stub.gone = gdb_tid(v);
		gs.owner = gs.prev_owner;
		gs.focus = (unsigned)gs.prev_owner + 1;
	}
	if (gs.asked == (int)v->cpu) {
		/* An attach or Ctrl-C asked v to stop: another guest answers instead. */
		gs.asked = -1;
		struct vcpu *o = focus_guest();
		if (o) {
			gs.asked = (int)o->cpu;
			ask(o);
		}
	}
	gdb_vcpus[v->cpu].event = GDB_EV_NONE;
	spin_unlock(&gs.lock);
}

int gdb_request_taken(struct vcpu *v)
{
	if (!gs.enabled)
		return 0;
	struct gdb_vcpu *g = &gdb_vcpus[v->cpu];
	spin_lock(&gs.lock);
	if (gs.owner == (int)v->cpu && v->cpu == gs.end_cpu) {
		/* [hv] debug_gdb_end_cpu: the guest ends just as gdb hands it the stub, which
		 * gdb_guest_ended (at its end) gives back. */
		spin_unlock(&gs.lock);
		vcpu_stop(v, "debug_gdb_end_cpu: ended as gdb handed it the stub");
		return 1;
	}
	if (gs.asked == (int)v->cpu) {
		gs.asked = -1;
		if (g->event == GDB_EV_NONE && !gs.stopped)
			g->event = gs.attached ? GDB_EV_INTERRUPT : GDB_EV_ATTACH;
	}
	uint32_t gen = gs.gen;
	for (;;) {
		if (gs.owner == (int)v->cpu) {
			spin_unlock(&gs.lock);
			enum serve_end e = serve(v);
			if (e == SERVE_KILLED)
				return 1;
			spin_lock(&gs.lock);
			gen = gs.gen;
			if (e == SERVE_RESUMED)
				break;
			continue;
		}
		if (g->event != GDB_EV_NONE && !gs.stopped) {
			if (!gs.attached && g->event != GDB_EV_ATTACH) {
				g->event = GDB_EV_NONE; /* a stop gdb is no longer there to hear */
				continue;
			}
			/* This guest stops the session and reports. */
			gs.stopped = true;
			gs.owner = (int)v->cpu;
			gs.focus = gdb_tid(v);
			if (g->event != GDB_EV_ATTACH) {
				mode_notice(v); /* gdb waits for a stop reply: 'O' may come first */
				char r[64];
				size_t n = gdb_stop_reply(r, why_of(g->event), gdb_tid(v), g->watch_addr);
				send_packet(r, n);
			}
			g->resume_rf = g->event == GDB_EV_HWBREAK;
			g->event = GDB_EV_NONE;
			continue;
		}
		if (g->event == GDB_EV_NONE && (!gs.stopped || gs.gen != gen))
			break; /* nothing to report, and gdb lets it run */
		spin_unlock(&gs.lock);
		__builtin_ia32_pause();
		spin_lock(&gs.lock);
	}
	bool attached = gs.attached;
	spin_unlock(&gs.lock);
	if (!attached)
		gdb_target_release(v); /* detached: the guest goes on exactly as before */
	return 0;
}
