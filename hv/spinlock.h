/* Test-and-test-and-set spinlock (GCC atomics; also builds for host tests). */
#ifndef HV_SPINLOCK_H
#define HV_SPINLOCK_H

#include "hv/types.h"

typedef struct {
	volatile uint32_t locked;
} spinlock_t;

static inline void spin_lock(spinlock_t *l)
{
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE)) {
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			__builtin_ia32_pause();
	}
}

/* Try for at most `spins` polls; true when the lock was taken. For paths that must not
 * wait forever (a crash report while this very CPU may hold the lock). */
static inline bool spin_lock_bounded(spinlock_t *l, uint64_t spins)
{
	for (uint64_t i = 0; i < spins; i++) {
		if (!__atomic_load_n(&l->locked, __ATOMIC_RELAXED) &&
		    !__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
			return true;
		__builtin_ia32_pause();
	}
	return false;
}

static inline void spin_unlock(spinlock_t *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

#endif
