/* The console's per-CPU rings and drain (hv/console_ring.c), the buffered console around
 * them (hv/console.c), guest-output drops (hv/vuart.c) and the logged-once cap
 * (hv/log_once.c). */
#include <stdlib.h>
#include <string.h>
#include "hv/console.h"
#include "hv/console_ring.h"
#include "hv/log.h"
#include "hv/vio.h"
#include "tests/host/fake_arch.h"
#include "tests/host/harness.h"

/* What a sink received. */
static char out[65536];
static size_t out_len;
static void put(const char *s, size_t n)
{
	size_t k = n < sizeof(out) - 1 - out_len ? n : sizeof(out) - 1 - out_len;
	memcpy(out + out_len, s, k);
	out[out_len += k] = 0;
}

/* The same, counting the bytes a UART sends ("\n" goes out as "\r\n"). */
static size_t wire_bytes;
static void put_wire(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		wire_bytes += s[i] == '\n' ? 2 : 1;
	put(s, n);
}

static void out_reset(void)
{
	out_len = 0;
	out[0] = 0;
}

static unsigned count(const char *hay, const char *needle)
{
	unsigned n = 0;
	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* Is every line of out one of the lines written whole, each "<tag><digits>...\n"? A line
 * cut by another would break the pattern. */
static bool lines_whole(const char *s, const char *tags)
{
	while (*s) {
		const char *nl = strchr(s, '\n');
		if (!nl || !strchr(tags, s[0]) || s[1] != ':')
			return false;
		for (const char *p = s + 2; p < nl; p++)
			if (*p != s[0])
				return false;
		s = nl + 1;
	}
	return true;
}

/* Every line is one of the lines printed whole: "[fake] ...", "hv: ...". */
static bool lines_whole_any(const char *s)
{
	while (*s) {
		const char *nl = strchr(s, '\n');
		if (!nl || (strncmp(s, "[fake] ", 7) && strncmp(s, "hv: ", 4)))
			return false;
		if (!strncmp(s, "[fake] flood", 12) && nl - s != 7 + 35)
			return false;
		s = nl + 1;
	}
	return true;
}

static void put_line(struct console_ring *r, char tag, size_t len, uint32_t limit, bool want)
{
	char line[CONSOLE_RECORD_MAX];
	line[0] = tag;
	line[1] = ':';
	memset(line + 2, tag, len - 3);
	line[len - 1] = '\n';
	CHECK_EQ(console_ring_put(r, line, len, limit), want);
}

TEST(console_ring_limits_and_guest_share)
{
	static struct console_ring r;
	memset(&r, 0, sizeof(r));
	/* Guest output stops at the guest's share; the hypervisor's messages still fit. */
	unsigned n = 0;
	while (console_ring_put(&r, "0123456789abcdef0123456789abcde\n", 32, CONSOLE_GUEST_LIMIT))
		n++;
	CHECK_EQ(n, CONSOLE_GUEST_LIMIT / (32 + CONSOLE_REC_HDR));
	CHECK(console_ring_used(&r) <= CONSOLE_GUEST_LIMIT);
	CHECK(console_ring_put(&r, "hv: message\n", 12, CONSOLE_RING_SIZE));
	CHECK(!console_ring_put(&r, "x", 0, CONSOLE_RING_SIZE));
	static char big[CONSOLE_RECORD_MAX + 1];
	CHECK(!console_ring_put(&r, big, sizeof(big), CONSOLE_RING_SIZE));
	while (console_ring_put(&r, "0123456789abcdef0123456789abcde\n", 32, CONSOLE_RING_SIZE))
		;
	CHECK(console_ring_used(&r) + 32 + CONSOLE_REC_HDR > CONSOLE_RING_SIZE);
}

/* Three rings, records of different lengths wrapping around the ring ends, drained with
 * small budgets: every record whole, in each ring's order, and round robin between rings. */
TEST(console_drain_line_atomic_round_robin_and_budget)
{
	static struct console_ring rings[3];
	memset(rings, 0, sizeof(rings));
	struct console_drain d = { rings, 3, -1, 0, 0, 0 };
	out_reset();
	unsigned written[3] = { 0 }, total = 0;
	for (unsigned round = 0; round < 200; round++) {
		for (unsigned i = 0; i < 3; i++) {
			/* ring 0 floods, 1 and 2 print now and then */
			unsigned k = i == 0 ? 4 : (round % (i + 2) == 0);
			for (unsigned j = 0; j < k; j++) {
				size_t len = 20 + (round * 7 + j * 13 + i * 5) % 180;
				char line[CONSOLE_RECORD_MAX];
				line[0] = (char)('a' + i);
				line[1] = ':';
				memset(line + 2, 'a' + (int)i, len - 3);
				line[len - 1] = '\n';
				if (console_ring_put(&rings[i], line, len, CONSOLE_GUEST_LIMIT)) {
					console_drain_published(&d);
					written[i]++;
				}
			}
		}
		/* A FIFO's worth per visit, sometimes less. */
		size_t budget = 1 + round % 16;
		wire_bytes = 0;
		size_t spent = console_drain_step(&d, budget, put_wire);
		CHECK(spent <= budget);
		CHECK_EQ(wire_bytes, spent); /* never more than the FIFO takes */
		total += (unsigned)spent;
	}
	while (console_drain_pending(&d))
		console_drain_step(&d, 16, put);
	CHECK(lines_whole(out, "abc"));
	CHECK_EQ(count(out, "a:"), written[0]);
	CHECK_EQ(count(out, "b:"), written[1]);
	CHECK_EQ(count(out, "c:"), written[2]);
	CHECK(written[1] > 20 && written[2] > 20);
	for (unsigned i = 0; i < 3; i++)
		CHECK_EQ(console_ring_used(&rings[i]), 0);
	(void)total;
}

/* With every ring full, the drain takes one record from each in turn: a flooding ring
 * never gets two records in a row while another ring has one waiting. */
TEST(console_drain_fair_share)
{
	static struct console_ring rings[2];
	memset(rings, 0, sizeof(rings));
	struct console_drain d = { rings, 2, -1, 0, 0, 0 };
	for (int k = 0; k < 10; k++) {
		put_line(&rings[0], 'a', 40, CONSOLE_RING_SIZE, true);
		console_drain_published(&d);
	}
	for (int k = 0; k < 3; k++) {
		put_line(&rings[1], 'b', 40, CONSOLE_RING_SIZE, true);
		console_drain_published(&d);
	}
	out_reset();
	console_drain_step(&d, SIZE_MAX, put);
	CHECK(lines_whole(out, "ab"));
	/* a b a b a b a a a ...: the first six records alternate. */
	char order[14] = { 0 };
	const char *p = out;
	for (int k = 0; k < 13 && *p; k++) {
		order[k] = p[0];
		p = strchr(p, '\n') + 1;
	}
	CHECK(!strcmp(order, "abababaaaaaaa"));
}

/* The buffered console on a fake CPU: hv/console.c with a no-wait device of `room` bytes. */
static int fake_cpu = -1;
static int fake_cpu_index(void)
{
	return fake_cpu;
}
static size_t room = 16;
static size_t device_room(void)
{
	return room;
}

static void buffered_begin(int cpu)
{
	out_reset();
	console_set_sink(put);
	console_set_nowait(device_room, put);
	console_set_cpu_fn(fake_cpu_index);
	fake_cpu = cpu;
	console_buffer_this_cpu(true);
}

static void buffered_end(void)
{
	console_buffer_this_cpu(false);
	console_set_cpu_fn(NULL);
	console_set_nowait(NULL, NULL);
	console_set_sink(NULL);
	fake_cpu = -1;
	room = 16;
}

/* A flooding guest on cpu 1 while the device takes nothing: its lines are dropped past its
 * share and counted; the hypervisor's messages on that CPU are never dropped (when the ring
 * is full they wait for the device instead); when output resumes the count comes first. */
TEST(console_guest_flood_dropped_counted_hv_messages_kept)
{
	struct vcpu *v = fake_vcpu_new(4 << 20);
	buffered_begin(1);
	room = 0; /* the UART is busy: nothing drains */
	for (int i = 0; i < 1000; i++) {
		const char *line = "flood flood flood flood flood flood\n";
		for (const char *c = line; *c; c++)
			vuart_write(&v->uart, 0, (uint8_t)*c);
		if (i % 100 == 0)
			hv_printf("hv: message %d\n", i);
	}
	CHECK_EQ(out_len, 0); /* nothing waited for the device */
	uint64_t kept = 1000 - v->uart.dropped;
	CHECK(v->uart.dropped > 800);
	CHECK(kept * (36 + 7 + CONSOLE_REC_HDR) <= CONSOLE_GUEST_LIMIT);
	/* More hypervisor messages than the whole ring holds: none lost, order kept (the ring
	 * is written out, waiting, before the message that did not fit). */
	for (int i = 0; i < 300; i++)
		hv_printf("hv: overflow message number %03d of the hypervisor\n", i);
	CHECK(out_len > 0);
	room = 16;
	for (const char *c = "after\n"; *c; c++)
		vuart_write(&v->uart, 0, (uint8_t)*c);
	console_buffer_this_cpu(false); /* the guest ended: everything out, waiting */
	for (int i = 0; i < 1000; i += 100) {
		char msg[32];
		snprintf(msg, sizeof(msg), "hv: message %d\n", i);
		CHECK_EQ(count(out, msg), 1);
	}
	CHECK_EQ(count(out, "[fake] flood"), kept);
	const char *last = out;
	for (int i = 0; i < 300; i++) {
		char msg[64];
		snprintf(msg, sizeof(msg), "hv: overflow message number %03d of the hypervisor\n", i);
		const char *at = strstr(out, msg);
		CHECK(at && at >= last);
		if (at)
			last = at;
	}
	CHECK(lines_whole_any(out));
	char notice[96];
	snprintf(notice, sizeof(notice), "[fake] ... %llu lines dropped (console limit)\n[fake] after\n",
		 (unsigned long long)v->uart.dropped);
	CHECK_EQ(count(out, notice), 1);
	CHECK_EQ(v->uart.dropped_unreported, 0);
	buffered_end();
	fake_vcpu_free(v);
}

/* Appends drain as they go, a budget at a time, and a synchronous print (here a crash
 * report) first finishes the line a drain left half-written. */
TEST(console_report_finishes_half_written_line)
{
	buffered_begin(2);
	room = 10;
	hv_printf("hv: a line longer than one FIFO's worth\n");
	CHECK_EQ(out_len, 10); /* one visit, one budget */
	CHECK(console_pending());
	fake_cpu = 3; /* another CPU crashes */
	bool held = console_report_begin();
	CHECK(held);
	hv_printf_nolock("CRASH\n");
	console_report_end(held);
	CHECK(!strcmp(out, "hv: a line longer than one FIFO's worth\nCRASH\n"));
	CHECK(!console_pending());
	fake_cpu = 2;
	buffered_end();
}

/* A guest touching every port: at most LOG_ONCE_MAX "no device" lines, then one
 * "suppressed" line; the rest only counted. */
TEST(log_once_cap_per_guest)
{
	struct vcpu *v = fake_vcpu_new(4 << 20);
	out_reset();
	console_set_sink(put);
	for (uint32_t p = 0x100; p < 0x300; p++) {
		uint64_t rax = 0;
		vio_access(v, &rax, (uint16_t)p, 1, true);
		vio_access(v, &rax, (uint16_t)p, 1, false);
	}
	CHECK_EQ(count(out, "no device at I/O port"), LOG_ONCE_MAX);
	CHECK_EQ(count(out, "hv: guest fake: further logged-once messages suppressed"), 1);
	CHECK_EQ(v->log_once.suppressed, 0x200 - LOG_ONCE_MAX);
	/* The other logged-once messages share the cap. */
	CHECK_EQ(fake_msr_exit(v, 0x1b, true, 0xfec00900), ACT_INJECT_GP);
	CHECK_EQ(count(out, "IA32_APIC_BASE"), 0);
	CHECK_EQ(v->log_once.suppressed, 0x200 - LOG_ONCE_MAX + 1);
	console_set_sink(NULL);
	fake_vcpu_free(v);
}

/* A guest that polls LSR.THRE, as drivers do, waits for its share of the line instead of
 * losing output: THRE clears while its share of the ring has no room for a line, and
 * polling drains (a FIFO's worth per poll) until it has. */
TEST(console_lsr_busy_while_guest_share_full)
{
	struct vcpu *v = fake_vcpu_new(4 << 20);
	buffered_begin(4);
	room = 0; /* the UART is busy */
	CHECK_EQ(vuart_read(&v->uart, 5) & 0x60, 0x60);
	int lines = 0;
	while ((vuart_read(&v->uart, 5) & 0x20) && lines < 1000) {
		for (const char *c = "polite polite polite polite polite 01\n"; *c; c++)
			vuart_write(&v->uart, 0, (uint8_t)*c);
		lines++;
	}
	CHECK(lines > 50 && lines < 1000);
	CHECK_EQ(v->uart.dropped, 0);
	CHECK_EQ(vuart_read(&v->uart, 5) & 0x60, 0); /* still busy: nothing drained */
	room = 16; /* the UART takes bytes again: polling LSR drains */
	int polls = 0;
	while (!(vuart_read(&v->uart, 5) & 0x20) && polls < 10000)
		polls++;
	CHECK(polls < 100);
	buffered_end();
	CHECK_EQ(count(out, "[fake] polite"), lines);
	fake_vcpu_free(v);
}
