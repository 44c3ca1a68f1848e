/* The gdb stub's command layer (see gdb_stub.h). */
#include "hv/gdb_stub.h"
#include "hv/fmt.h"
#include "hv/lib.h"

#define SIGINT 2
#define SIGTRAP 5

static enum gdb_action reply_str(struct gdb_stub *s, const char *str)
{
	s->reply_len = hv_strlcpy(s->reply, str, sizeof(s->reply));
	return GDB_ACT_REPLY;
}

static enum gdb_action error(struct gdb_stub *s, unsigned code)
{
	s->reply[0] = 'E';
	s->reply[1] = "0123456789abcdef"[(code >> 4) & 15];
	s->reply[2] = "0123456789abcdef"[code & 15];
	s->reply[3] = 0;
	s->reply_len = 3;
	return GDB_ACT_REPLY;
}
#define E_BAD 0x01   /* a malformed packet */
#define E_FAULT 0x0e /* unmapped guest memory (EFAULT) */
#define E_THREAD 0x02

static bool in_set(const char *set, char c)
{
	for (; *set; set++)
		if (*set == c)
			return true;
	return false;
}

static bool prefix(const char *pkt, const char *p)
{
	return !strncmp(pkt, p, strlen(p));
}

size_t gdb_stop_reply(char *out, enum gdb_stop_why why, unsigned tid, uint64_t watch_addr)
{
	unsigned sig = why == GDB_STOP_INTERRUPT ? SIGINT : SIGTRAP;
	size_t n = 0;
	out[n++] = 'T';
	out[n++] = "0123456789abcdef"[sig >> 4];
	out[n++] = "0123456789abcdef"[sig & 15];
	memcpy(out + n, "thread:", 7);
	n += 7;
	n += gdb_hex_put(out + n, tid);
	out[n++] = ';';
	const char *tag = why == GDB_STOP_SWBREAK ? "swbreak:;" : why == GDB_STOP_HWBREAK ? "hwbreak:;" : "";
	memcpy(out + n, tag, strlen(tag));
	n += strlen(tag);
	if (why == GDB_STOP_WATCH) {
		memcpy(out + n, "watch:", 6);
		n += 6;
		n += gdb_hex_put(out + n, watch_addr);
		out[n++] = ';';
	}
	out[n] = 0;
	return n;
}

/* A thread id: hex, "-1" (all) or "0" (any): those two give 0. -1 on a bad id. */
static int thread_id(const char *p, unsigned *tid)
{
	if (!strcmp(p, "-1")) {
		*tid = 0;
		return 0;
	}
	uint64_t v;
	if (gdb_hex_number(&p, &v) < 0 || *p || v > 0xffff)
		return -1;
	*tid = (unsigned)v;
	return 0;
}

/* "addr,len" then end (or ':' / stop char): -1 when malformed. */
static int addr_len(const char **p, uint64_t *addr, uint64_t *len)
{
	if (gdb_hex_number(p, addr) < 0 || **p != ',')
		return -1;
	(*p)++;
	return gdb_hex_number(p, len);
}

/* qXfer read of doc at "off,len": 'm' + a part, or 'l' + the rest (E.4 qXfer). */
static enum gdb_action xfer(struct gdb_stub *s, const char *doc, const char *args)
{
	uint64_t off, len;
	if (addr_len(&args, &off, &len) < 0 || *args)
		return error(s, E_BAD);
	size_t total = strlen(doc);
	if (off > total)
		return error(s, E_BAD);
	size_t n = (size_t)MIN((uint64_t)(total - off), MIN(len, (uint64_t)(sizeof(s->reply) - 2)));
	s->reply[0] = off + n < total ? 'm' : 'l';
	memcpy(s->reply + 1, doc + off, n);
	s->reply_len = n + 1;
	s->reply[s->reply_len] = 0;
	return GDB_ACT_REPLY;
}

static const char *threads_xml(struct gdb_stub *s)
{
	size_t n = 0, cap = sizeof(s->xml);
	n += (size_t)hv_snprintf(s->xml, cap, "<?xml version=\"1.0\"?>\n<threads>\n");
	for (unsigned t = s->t->thread_next(0); t && n < cap; t = s->t->thread_next(t))
		n += (size_t)hv_snprintf(s->xml + n, cap - n,
					 "<thread id=\"%x\" core=\"%x\" name=\"%s\"/>\n", t, t - 1,
					 s->t->thread_name(t));
	if (n < cap)
		hv_snprintf(s->xml + n, cap - n, "</threads>\n");
	return s->xml;
}

static enum gdb_action query(struct gdb_stub *s, const char *pkt)
{
	if (prefix(pkt, "qSupported"))
		return reply_str(s, "PacketSize=1000;qXfer:features:read+;qXfer:threads:read+;"
				    "swbreak+;hwbreak+");
	if (!strcmp(pkt, "qfThreadInfo")) {
		size_t n = 0;
		s->reply[n++] = 'm';
		for (unsigned t = s->t->thread_next(0); t; t = s->t->thread_next(t)) {
			if (n > 1)
				s->reply[n++] = ',';
			n += gdb_hex_put(s->reply + n, t);
		}
		if (n == 1)
			s->reply[0] = 'l';
		s->reply[n] = 0;
		s->reply_len = n;
		return GDB_ACT_REPLY;
	}
	if (!strcmp(pkt, "qsThreadInfo"))
		return reply_str(s, "l");
	if (!strcmp(pkt, "qC")) {
		s->reply[0] = 'Q';
		s->reply[1] = 'C';
		s->reply_len = 2 + gdb_hex_put(s->reply + 2, s->t->current());
		s->reply[s->reply_len] = 0;
		return GDB_ACT_REPLY;
	}
	if (prefix(pkt, "qAttached"))
		return reply_str(s, "1"); /* attached to a running target: detach, never kill, on quit */
	if (prefix(pkt, "qXfer:features:read:target.xml:")) {
		const char *args = pkt + strlen("qXfer:features:read:target.xml:");
		if (args[0] == '0' && args[1] == ',') { /* a new read: the guest's mode now */
			s->tdesc_arch = s->t->arch();
			s->tdesc_read = true;
			s->tdesc_reads++;
		}
		return xfer(s, gdb_tdesc_xml(gdb_stub_layout(s)), args);
	}
	if (prefix(pkt, "qXfer:features:read:"))
		return error(s, E_BAD); /* the description is one document */
	if (prefix(pkt, "qXfer:threads:read::"))
		return xfer(s, threads_xml(s), pkt + strlen("qXfer:threads:read::"));
	if (prefix(pkt, "qSymbol"))
		return reply_str(s, "OK");
	return reply_str(s, ""); /* not supported */
}

enum gdb_arch gdb_stub_layout(const struct gdb_stub *s)
{
	return s->tdesc_read ? s->tdesc_arch : s->t->arch();
}

/* The layout gdb holds, the values the guest's mode has (gdb_regs_view). */
static enum gdb_action regs_packet(struct gdb_stub *s, const char *pkt, size_t len)
{
	struct gdb_regs raw, r;
	enum gdb_arch a = gdb_stub_layout(s), guest = s->t->arch();
	s->t->regs(&raw, false);
	r = raw;
	gdb_regs_view(guest, &r);
	if (pkt[0] == 'g') {
		gdb_regs_encode(a, &r, s->reply);
		s->reply_len = gdb_regs_g_len(a);
		return GDB_ACT_REPLY;
	}
	if (pkt[0] == 'G') {
		if (gdb_regs_decode(a, pkt + 1, len - 1, &r) < 0)
			return error(s, E_BAD);
		gdb_regs_merge(guest, &raw, &r);
		s->t->regs(&r, true);
		return reply_str(s, "OK");
	}
	const char *p = pkt + 1;
	uint64_t n;
	if (gdb_hex_number(&p, &n) < 0 || n > 0xffff)
		return error(s, E_BAD);
	if (pkt[0] == 'p') {
		if (*p || gdb_reg_get(a, &r, (unsigned)n, s->reply) < 0)
			return error(s, E_BAD);
		s->reply_len = strlen(s->reply);
		return GDB_ACT_REPLY;
	}
	if (*p != '=' || gdb_reg_set(a, &r, (unsigned)n, p + 1) < 0)
		return error(s, E_BAD);
	gdb_regs_merge(guest, &raw, &r);
	s->t->regs(&r, true);
	return reply_str(s, "OK");
}

static enum gdb_action mem_packet(struct gdb_stub *s, const char *pkt, size_t len)
{
	const char *p = pkt + 1;
	uint64_t addr, n;
	if (addr_len(&p, &addr, &n) < 0)
		return error(s, E_BAD);
	if (pkt[0] == 'm') {
		if (*p || n > sizeof(s->bytes))
			return error(s, E_BAD);
		size_t done = s->t->mem_read(addr, s->bytes, (size_t)n);
		if (!done && n)
			return error(s, E_FAULT);
		gdb_hex_encode(s->reply, s->bytes, done); /* a short read: what could be read */
		s->reply_len = 2 * done;
		s->reply[s->reply_len] = 0;
		return GDB_ACT_REPLY;
	}
	if (*p++ != ':' || n > sizeof(s->bytes))
		return error(s, E_BAD);
	size_t data = len - (size_t)(p - pkt);
	if (pkt[0] == 'M') {
		if (data != 2 * n || gdb_hex_decode(s->bytes, p, (size_t)n) < 0)
			return error(s, E_BAD);
	} else { /* 'X': binary, already unescaped by the packet layer */
		if (data != n)
			return error(s, E_BAD);
		memcpy(s->bytes, p, (size_t)n);
	}
	if (s->t->mem_write(addr, s->bytes, (size_t)n) != n)
		return error(s, E_FAULT);
	return reply_str(s, "OK");
}

static enum gdb_action break_packet(struct gdb_stub *s, const char *pkt)
{
	const char *p = pkt + 1;
	uint64_t type, addr, kind;
	if (gdb_hex_number(&p, &type) < 0 || *p++ != ',' || addr_len(&p, &addr, &kind) < 0 ||
	    (*p && *p != ';') || type > 4)
		return error(s, E_BAD);
	int r = s->t->break_op(pkt[0] == 'Z', (unsigned)type, addr, (unsigned)kind);
	if (r > 0)
		return reply_str(s, "");
	return r < 0 ? error(s, E_FAULT) : reply_str(s, "OK");
}

static enum gdb_action resume_packet(struct gdb_stub *s, const char *pkt)
{
	s->step_addr_set = false;
	if (pkt[1]) {
		const char *p = pkt + 1;
		if (gdb_hex_number(&p, &s->step_addr) < 0 || *p)
			return error(s, E_BAD);
		s->step_addr_set = true;
	}
	return pkt[0] == 's' ? GDB_ACT_STEP : GDB_ACT_CONTINUE;
}

enum gdb_action gdb_stub_handle(struct gdb_stub *s, const char *pkt, size_t len)
{
	s->reply_len = 0;
	s->reply[0] = 0;
	if (s->gone && in_set("gGpPmMXZzs", pkt[0]))
		return error(s, E_THREAD); /* the selected thread's guest has ended */
	switch (pkt[0]) {
	case 'q':
		return query(s, pkt);
	case '?':
		s->reply_len = gdb_stop_reply(s->reply, GDB_STOP_ATTACH, s->t->current(), 0);
		return GDB_ACT_REPLY;
	case 'H': {
		unsigned tid;
		if ((pkt[1] != 'g' && pkt[1] != 'c') || thread_id(pkt + 2, &tid) < 0)
			return error(s, E_BAD);
		if (tid && !s->t->thread_name(tid))
			return error(s, E_THREAD);
		reply_str(s, "OK");
		if (pkt[1] == 'g')
			s->gone = 0;
		/* 'Hc' only names what 'c'/'s' resume (every stopped guest; 's' the current one). */
		if (pkt[1] == 'g' && tid && tid != s->t->current()) {
			s->switch_to = tid;
			return GDB_ACT_SWITCH;
		}
		return GDB_ACT_REPLY;
	}
	case 'T': {
		unsigned tid;
		if (thread_id(pkt + 1, &tid) < 0 || !tid || !s->t->thread_name(tid))
			return error(s, E_THREAD);
		return reply_str(s, "OK");
	}
	case 'g':
	case 'G':
	case 'p':
	case 'P':
		return regs_packet(s, pkt, len);
	case 'm':
	case 'M':
	case 'X':
		return mem_packet(s, pkt, len);
	case 'Z':
	case 'z':
		return break_packet(s, pkt);
	case 'c':
	case 's':
		return resume_packet(s, pkt);
	case 'D':
		reply_str(s, "OK");
		return GDB_ACT_DETACH;
	case 'k':
		return GDB_ACT_KILL;
	case 'v':
		if (!strcmp(pkt, "vMustReplyEmpty") || prefix(pkt, "vCont"))
			return reply_str(s, ""); /* no vCont: gdb uses Hc, c and s */
		return reply_str(s, "");
	default:
		return reply_str(s, "");
	}
}
