/*
 * The gdb stub's command layer: one received packet in, the reply and what the caller must
 * do next out (GDB manual, appendix E.2 "Packets", E.4 "General Query Packets"). Each guest
 * is a thread (id = its CPU + 1) named after the guest; the commands act on the thread the
 * caller's CPU stops (the stub runs on the stopped guest's own CPU, which alone can read its
 * VMCB/VMCS: hv/gdb_stop.c); 'Hg' of another thread asks the caller to hand the stub over.
 * The target is reached only through struct gdb_target, so this is pure logic (host tests
 * drive it with a fake guest).
 */
#ifndef HV_GDB_STUB_H
#define HV_GDB_STUB_H

#include "hv/gdb_packet.h"
#include "hv/gdb_regs.h"
#include "hv/types.h"

struct gdb_target {
	/* Threads in increasing id order: the first id > after, 0 when none is left. */
	unsigned (*thread_next)(unsigned after);
	/* The guest's name, or NULL when there is no such thread (or it has ended). */
	const char *(*thread_name)(unsigned tid);
	/* The stopped thread the stub serves (its CPU runs this code). */
	unsigned (*current)(void);
	enum gdb_arch (*arch)(void);
	void (*regs)(struct gdb_regs *r, bool write);
	size_t (*mem_read)(uint64_t addr, uint8_t *buf, size_t n);
	size_t (*mem_write)(uint64_t addr, const uint8_t *buf, size_t n);
	/* Z/z type 0-4: 0 done, -1 refused (E), 1 not supported (empty reply). */
	int (*break_op)(bool insert, unsigned type, uint64_t addr, unsigned kind);
};

enum gdb_action {
	GDB_ACT_REPLY,    /* send reply */
	GDB_ACT_SWITCH,   /* send reply, then hand the stub to thread switch_to */
	GDB_ACT_CONTINUE, /* resume (no reply now: the stop reply comes later) */
	GDB_ACT_STEP,     /* one instruction of the current thread, then a stop reply */
	GDB_ACT_DETACH,   /* send reply, take every breakpoint out, resume everything */
	GDB_ACT_KILL,     /* stop the current thread's guest; no reply */
};

struct gdb_stub {
	const struct gdb_target *t;
	unsigned switch_to;
	bool step_addr_set;   /* 'c addr' / 's addr': resume at addr */
	/* The description gdb holds: the one it read last (target.xml from offset 0, at attach
	 * or after `unset tdesc filename`). Register packets keep its layout whatever mode the
	 * guest is in now (gdb_regs_view); before any read, the guest's current mode. gdb
	 * rejects a description whose address size differs from its architecture's (the ELF
	 * file's, or `set architecture`), which the stub cannot see (README "Debugging"). */
	bool tdesc_read;
	enum gdb_arch tdesc_arch;
	unsigned tdesc_reads; /* how many times gdb read it */
	/* The thread gdb selected (Hg) whose guest ended before its CPU could serve: what acts
	 * on the selected thread answers E02 until gdb selects another. 0: none. */
	unsigned gone;
	uint64_t step_addr;
	size_t reply_len;
	char reply[GDB_PACKET_MAX + 1];
	uint8_t bytes[GDB_PACKET_MAX / 2];
	char xml[8192]; /* qXfer:threads:read document */
};

enum gdb_action gdb_stub_handle(struct gdb_stub *s, const char *pkt, size_t len);
/* The register layout gdb expects now (see tdesc_arch). */
enum gdb_arch gdb_stub_layout(const struct gdb_stub *s);

/* Why a thread stopped, for its stop reply ("T" packet, E.3). */
enum gdb_stop_why { GDB_STOP_ATTACH, GDB_STOP_INTERRUPT, GDB_STOP_SWBREAK, GDB_STOP_HWBREAK,
		    GDB_STOP_WATCH, GDB_STOP_STEP };
/* "TssHthread:ID;" plus swbreak:/hwbreak:/watch:ADDR; as why says. Returns the length. */
size_t gdb_stop_reply(char *out, enum gdb_stop_why why, unsigned tid, uint64_t watch_addr);

#endif
