/*
 * The hypervisor's page allocator: one contiguous pool of memory reserved from
 * the firmware before ExitBootServices, managed with a bitmap kept at the start
 * of the pool. The hypervisor runs identity mapped, so an address is both the
 * physical address (for VMCBs, page tables) and a usable pointer.
 */
#ifndef HV_PAGE_ALLOC_H
#define HV_PAGE_ALLOC_H

#include "hv/spinlock.h"
#include "hv/types.h"

struct page_pool {
	uint64_t base;   /* first allocatable page */
	uint64_t npages; /* allocatable pages */
	uint64_t free_pages;
	uint64_t *bitmap; /* 1 = in use */
	spinlock_t lock;
};

/* Manage [start, start+size); the bitmap takes the first pages. Returns -1 if too small. */
int page_pool_init(struct page_pool *p, uint64_t start, uint64_t size);
/* npages zeroed pages aligned to align (a power of two >= 4096), or 0 when none are free. */
uint64_t page_alloc(struct page_pool *p, uint64_t npages, uint64_t align);
void page_free(struct page_pool *p, uint64_t addr, uint64_t npages);

/* The pool every hypervisor structure comes from. */
extern struct page_pool hv_pool;

#endif
