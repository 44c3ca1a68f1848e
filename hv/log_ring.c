/* The ring of the hypervisor's recent messages (hv/log_ring.h). */
#include "hv/lib.h"
#include "hv/log_ring.h"
#include "hv/spinlock.h"

static char ring[LOG_RING_SIZE];
static uint64_t written; /* bytes ever appended: the newest byte is ring[(written - 1) % size] */
static uint64_t lost;
static spinlock_t lock;

void log_ring_put(const char *s, size_t n)
{
	if (!spin_lock_bounded(&lock, 1u << 16)) {
		__atomic_add_fetch(&lost, 1, __ATOMIC_RELAXED);
		return;
	}
	if (n > LOG_RING_SIZE) { /* only the tail can stay */
		s += n - LOG_RING_SIZE;
		written += n - LOG_RING_SIZE;
		n = LOG_RING_SIZE;
	}
	size_t at = (size_t)(written % LOG_RING_SIZE);
	size_t first = MIN(n, (size_t)LOG_RING_SIZE - at);
	memcpy(ring + at, s, first);
	memcpy(ring, s + first, n - first);
	written += n;
	spin_unlock(&lock);
}

size_t log_ring_read(char *dst, size_t size, bool *cut)
{
	*cut = false;
	if (!spin_lock_bounded(&lock, 1u << 20))
		return 0;
	uint64_t held = MIN(written, (uint64_t)LOG_RING_SIZE);
	size_t n = (size_t)MIN(held, (uint64_t)size);
	*cut = written > n;
	uint64_t from = written - n;
	for (size_t i = 0; i < n; i++)
		dst[i] = ring[(from + i) % LOG_RING_SIZE];
	spin_unlock(&lock);
	return n;
}

uint64_t log_ring_lost(void)
{
	return __atomic_load_n(&lost, __ATOMIC_RELAXED);
}

void log_ring_reset(void)
{
	spin_lock(&lock);
	written = 0;
	lost = 0;
	spin_unlock(&lock);
}
