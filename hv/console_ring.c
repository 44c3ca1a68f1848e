/* Per-CPU console rings and their line-atomic, round-robin drain (hv/console_ring.h). */
#include "hv/console_ring.h"

#define MASK (CONSOLE_RING_SIZE - 1)

uint32_t console_ring_used(const struct console_ring *r)
{
	return __atomic_load_n(&r->head, __ATOMIC_ACQUIRE) -
	       __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
}

static void copy_in(struct console_ring *r, uint32_t at, const char *s, size_t n)
{
	for (size_t k = 0; k < n; k++)
		r->buf[(at + k) & MASK] = s[k];
}

bool console_ring_put(struct console_ring *r, const char *s, size_t n, uint32_t limit)
{
	if (!n || n > CONSOLE_RECORD_MAX)
		return false;
	uint32_t head = r->head; /* ours: only this producer writes it */
	uint32_t used = head - __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
	if (used + CONSOLE_REC_HDR + n > MIN(limit, CONSOLE_RING_SIZE))
		return false;
	char hdr[CONSOLE_REC_HDR] = { (char)(n & 0xff), (char)(n >> 8) };
	copy_in(r, head, hdr, CONSOLE_REC_HDR);
	copy_in(r, head + CONSOLE_REC_HDR, s, n);
	/* The record's bytes before the head that makes it visible to the drain. */
	__atomic_store_n(&r->head, head + CONSOLE_REC_HDR + (uint32_t)n, __ATOMIC_RELEASE);
	return true;
}

void console_drain_published(struct console_drain *d)
{
	__atomic_add_fetch(&d->records, 1, __ATOMIC_RELEASE);
}

/* Take ring i's oldest record as the one in progress (its header consumed). */
static bool begin_record(struct console_drain *d, uint32_t i)
{
	struct console_ring *r = &d->rings[i];
	if (console_ring_used(r) < CONSOLE_REC_HDR)
		return false;
	uint32_t t = r->tail;
	d->left = (uint8_t)r->buf[t & MASK] | (uint32_t)(uint8_t)r->buf[(t + 1) & MASK] << 8;
	d->cur = (int32_t)i;
	__atomic_store_n(&r->tail, t + CONSOLE_REC_HDR, __ATOMIC_RELEASE);
	return true;
}

static bool begin_next(struct console_drain *d)
{
	for (uint32_t k = 0; k < d->nrings; k++)
		if (begin_record(d, (d->next + k) % d->nrings))
			return true;
	return false;
}

/* Write what the budget allows of the record in progress; returns the output bytes spent.
 * A '\n' costs 2 (the sink sends "\r\n"). */
static size_t write_some(struct console_drain *d, size_t budget, console_put_fn put)
{
	struct console_ring *r = &d->rings[d->cur];
	size_t spent = 0;
	while (d->left) {
		uint32_t pos = r->tail & MASK;
		uint32_t run = MIN(d->left, CONSOLE_RING_SIZE - pos), k = 0;
		size_t cost = 0;
		for (; k < run; k++) {
			size_t c = r->buf[pos + k] == '\n' ? 2 : 1;
			if (spent + cost + c > budget)
				break;
			cost += c;
		}
		if (!k)
			return spent;
		put(&r->buf[pos], k);
		spent += cost;
		d->left -= k;
		/* The bytes are out of the ring: the producer may reuse them. */
		__atomic_store_n(&r->tail, r->tail + k, __ATOMIC_RELEASE);
	}
	d->next = ((uint32_t)d->cur + 1) % d->nrings;
	d->cur = -1;
	__atomic_sub_fetch(&d->records, 1, __ATOMIC_RELEASE);
	return spent;
}

size_t console_drain_step(struct console_drain *d, size_t budget, console_put_fn put)
{
	size_t spent = 0;
	while (spent < budget) {
		if (d->cur < 0 && !begin_next(d))
			break;
		spent += write_some(d, budget - spent, put);
		if (d->cur >= 0)
			break; /* the budget ended inside the record */
	}
	return spent;
}

void console_drain_finish(struct console_drain *d, console_put_fn put)
{
	if (d->cur >= 0)
		write_some(d, SIZE_MAX, put);
}

bool console_drain_one_of(struct console_drain *d, uint32_t i, console_put_fn put)
{
	console_drain_finish(d, put);
	if (!begin_record(d, i))
		return false;
	write_some(d, SIZE_MAX, put);
	return true;
}
