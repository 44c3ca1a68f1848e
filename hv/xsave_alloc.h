/*
 * Per-guest XSAVE areas and the allocator they come from.
 *
 * The hypervisor never saves guest FPU/SIMD state on the exit path: the state
 * stays live in the registers. An area is the exactly sized copy used when the
 * hypervisor must look at or replace that state (guest reset, console
 * inspection, moving a guest). The allocator owns its own heap of whole
 * hypervisor pages taken from a page_pool and hands out 64-byte aligned
 * blocks (XSAVE* and XRSTOR* #GP on anything less, Intel SDM vol. 1 13.4).
 *
 * Bytes only: nothing here executes XSAVE or XRSTOR.
 */
#ifndef HV_XSAVE_ALLOC_H
#define HV_XSAVE_ALLOC_H

#include "hv/page_alloc.h"
#include "hv/spinlock.h"
#include "hv/types.h"
#include "hv/xsave_layout.h"

#define XSAVE_OK 0
#define XSAVE_ENOMEM (-1) /* heap and page pool exhausted: the area is untouched */
#define XSAVE_EINVAL (-2) /* bad request or corrupt area header: the area is untouched */

#define XSAVE_HEAP_GRANULE 64u
#define XSAVE_HEAP_MAX_CHUNKS 16

/* A run of pages from the pool; its first granules hold the allocation bitmap. */
struct xsave_chunk {
	uint8_t *base;
	uint64_t npages;
	uint64_t ngranules; /* npages * 64 */
	uint64_t *bitmap;   /* 1 bit per 64-byte granule, 1 = in use */
};

struct xsave_heap {
	struct page_pool *pool;
	uint64_t chunk_pages; /* pages taken per chunk (more when one block needs more) */
	uint32_t nchunks;
	struct xsave_chunk chunks[XSAVE_HEAP_MAX_CHUNKS];
	uint64_t bytes_in_use; /* granule-rounded, bitmaps excluded */
	spinlock_t lock;
};

/* Take `pages` pages from pool as the first chunk. More chunks of the same size are
 * taken on demand. 0, or XSAVE_ENOMEM when the pool cannot give them. */
int xsave_alloc_init(struct xsave_heap *h, struct page_pool *pool, uint64_t pages);
/* Give every chunk back to the pool; all areas from h become invalid. */
void xsave_alloc_destroy(struct xsave_heap *h);
/* size bytes, zeroed, 64-byte aligned; NULL when out of memory. */
void *xsave_heap_alloc(struct xsave_heap *h, uint32_t size);
/* 0, or -1 when p/size is not a live block of h (nothing is changed then). */
int xsave_heap_free(struct xsave_heap *h, void *p, uint32_t size);

struct xsave_area {
	void *buf;          /* 64-byte aligned */
	uint32_t size;      /* bytes: the largest any CPU kind needs for `requested` */
	uint64_t mask;      /* components laid out: requested & the home CPU's support */
	bool compacted;     /* every CPU kind has XSAVEC: XCOMP_BV = bit63 | mask */
	uint64_t requested; /* features the area is sized for (initial, then grown) */
	uint64_t permitted; /* the guest configuration's limit for growth */
	const struct xsave_layout *layouts; /* [0] = the home CPU kind; caller keeps them alive */
	uint32_t nlayouts;
};

/*
 * Create an area for a guest whose configuration permits `permitted` and which
 * starts with `initial` (a subset; e.g. permitted minus AMX tile data, grown on
 * first use). layouts[0] is the CPU kind the guest runs on, the others every
 * other kind of the machine: the area is sized as the maximum over all of them.
 * The buffer is filled with the init image (xsave_area_init_image).
 */
int xsave_area_create(struct xsave_heap *h, const struct xsave_layout *layouts, uint32_t nlayouts,
		      uint64_t permitted, uint64_t initial, struct xsave_area *a);
void xsave_area_destroy(struct xsave_heap *h, struct xsave_area *a);
/*
 * The guest enabled features its configuration permits but the area lacks:
 * re-size for requested | new_mask, copy the saved state (component by component:
 * compacted offsets move), fix XSTATE_BV/XCOMP_BV and free the old block. On any
 * error the area and its contents are untouched, so the guest can be stopped
 * with its state intact.
 */
int xsave_area_grow(struct xsave_heap *h, struct xsave_area *a, uint64_t new_mask);
/* Architectural init state: FCW 0x37F, FTW 0 (all empty), MXCSR 0x1F80, XSTATE_BV 0,
 * XCOMP_BV = bit63 | mask in the compacted format. */
void xsave_area_init_image(struct xsave_area *a);

static inline struct xsave_legacy *xsave_area_legacy(const struct xsave_area *a)
{
	return (struct xsave_legacy *)a->buf;
}
static inline struct xsave_header *xsave_area_header(const struct xsave_area *a)
{
	return (struct xsave_header *)((uint8_t *)a->buf + XSAVE_LEGACY_SIZE);
}
/* Where component i (2..62) of the area's current contents is, by its XCOMP_BV; NULL
 * when the area holds no room for it. */
void *xsave_area_component(const struct xsave_area *a, unsigned i);

#endif
