/*
 * The XSAVE area allocator: a first-fit bitmap heap of 64-byte granules over
 * whole pages from a page_pool, and the per-guest areas built on it (sizing,
 * init image, growth with re-layout). Slow path only: areas are created when
 * a guest is set up and grown when it first enables a dynamic feature.
 */
#include "hv/lib.h"
#include "hv/xcr0_policy.h"
#include "hv/xsave_alloc.h"

#define GRANULES_PER_PAGE (PAGE_SIZE / XSAVE_HEAP_GRANULE)
#define COMPONENT_BITS (BIT(63) - 1)

static bool test_bit(const uint64_t *bm, uint64_t i)
{
	return bm[i / 64] & BIT(i % 64);
}

static void set_bits(uint64_t *bm, uint64_t first, uint64_t n, bool used)
{
	for (uint64_t i = first; i < first + n; i++) {
		if (used)
			bm[i / 64] |= BIT(i % 64);
		else
			bm[i / 64] &= ~BIT(i % 64);
	}
}

static uint64_t granules(uint64_t bytes)
{
	return (bytes + XSAVE_HEAP_GRANULE - 1) / XSAVE_HEAP_GRANULE;
}

/* The bitmap (one bit per granule, npages * 8 bytes) sits in the chunk's first granules. */
static uint64_t bitmap_granules(uint64_t npages)
{
	return granules(npages * GRANULES_PER_PAGE / 8);
}

/* Called with h->lock held. page_alloc hands out zeroed pages: the bitmap starts empty. */
static struct xsave_chunk *add_chunk(struct xsave_heap *h, uint64_t npages)
{
	if (h->nchunks == XSAVE_HEAP_MAX_CHUNKS)
		return NULL;
	uint64_t addr = page_alloc(h->pool, npages, PAGE_SIZE);
	if (!addr)
		return NULL;
	struct xsave_chunk *c = &h->chunks[h->nchunks++];
	c->base = (uint8_t *)(uintptr_t)addr;
	c->npages = npages;
	c->ngranules = npages * GRANULES_PER_PAGE;
	c->bitmap = (uint64_t *)(void *)c->base;
	set_bits(c->bitmap, 0, bitmap_granules(npages), true);
	return c;
}

int xsave_alloc_init(struct xsave_heap *h, struct page_pool *pool, uint64_t pages)
{
	memset(h, 0, sizeof(*h));
	h->pool = pool;
	h->chunk_pages = pages ? pages : 1;
	return add_chunk(h, h->chunk_pages) ? XSAVE_OK : XSAVE_ENOMEM;
}

void xsave_alloc_destroy(struct xsave_heap *h)
{
	for (uint32_t k = 0; k < h->nchunks; k++)
		page_free(h->pool, (uint64_t)(uintptr_t)h->chunks[k].base, h->chunks[k].npages);
	h->nchunks = 0;
	h->bytes_in_use = 0;
}

/* First fit: index of the first run of n free granules, or -1. */
static int64_t find_run(const struct xsave_chunk *c, uint64_t n)
{
	uint64_t run = 0;
	for (uint64_t i = 0; i < c->ngranules; i++) {
		if (i % 64 == 0 && c->bitmap[i / 64] == ~0ull) {
			run = 0;
			i += 63;
			continue;
		}
		if (test_bit(c->bitmap, i))
			run = 0;
		else if (++run == n)
			return (int64_t)(i + 1 - n);
	}
	return -1;
}

void *xsave_heap_alloc(struct xsave_heap *h, uint32_t size)
{
	if (!size)
		return NULL;
	uint64_t n = granules(size);
	uint8_t *p = NULL;
	spin_lock(&h->lock);
	for (uint32_t k = 0; k < h->nchunks && !p; k++) {
		int64_t g = find_run(&h->chunks[k], n);
		if (g >= 0) {
			set_bits(h->chunks[k].bitmap, (uint64_t)g, n, true);
			p = h->chunks[k].base + (uint64_t)g * XSAVE_HEAP_GRANULE;
		}
	}
	if (!p) {
		/* Grow the heap by one chunk big enough for this block and its own bitmap. */
		uint64_t pages = MAX(h->chunk_pages, (n + GRANULES_PER_PAGE - 1) / GRANULES_PER_PAGE);
		while (pages * GRANULES_PER_PAGE - bitmap_granules(pages) < n)
			pages++;
		struct xsave_chunk *c = add_chunk(h, pages);
		int64_t g = c ? find_run(c, n) : -1;
		if (g >= 0) {
			set_bits(c->bitmap, (uint64_t)g, n, true);
			p = c->base + (uint64_t)g * XSAVE_HEAP_GRANULE;
		}
	}
	if (p)
		h->bytes_in_use += n * XSAVE_HEAP_GRANULE;
	spin_unlock(&h->lock);
	if (p)
		memset(p, 0, n * XSAVE_HEAP_GRANULE);
	return p;
}

int xsave_heap_free(struct xsave_heap *h, void *ptr, uint32_t size)
{
	uint8_t *p = ptr;
	uint64_t n = granules(size);
	int rc = -1;
	if (!p || !size)
		return -1;
	spin_lock(&h->lock);
	for (uint32_t k = 0; k < h->nchunks; k++) {
		struct xsave_chunk *c = &h->chunks[k];
		if (p < c->base || p >= c->base + c->npages * PAGE_SIZE)
			continue;
		uint64_t off = (uint64_t)(p - c->base);
		uint64_t g = off / XSAVE_HEAP_GRANULE;
		if (off % XSAVE_HEAP_GRANULE || g < bitmap_granules(c->npages) || g + n > c->ngranules)
			break;
		uint64_t j = 0;
		while (j < n && test_bit(c->bitmap, g + j))
			j++;
		if (j != n) /* double free or wrong size: leave the heap as it is */
			break;
		set_bits(c->bitmap, g, n, false);
		h->bytes_in_use -= n * XSAVE_HEAP_GRANULE;
		rc = 0;
		break;
	}
	spin_unlock(&h->lock);
	return rc;
}

/* ---- per-guest areas ------------------------------------------------------ */

/* The largest area any CPU kind needs for `req` (clipped to what that kind has). */
static uint32_t area_size(const struct xsave_layout *ls, uint32_t n, bool compacted, uint64_t req)
{
	uint32_t size = XSAVE_EXT_OFFSET;
	for (uint32_t k = 0; k < n; k++)
		size = MAX(size, xsave_size(&ls[k], compacted, req & xsave_supported(&ls[k])));
	return size;
}

int xsave_area_create(struct xsave_heap *h, const struct xsave_layout *layouts, uint32_t nlayouts,
		      uint64_t permitted, uint64_t initial, struct xsave_area *a)
{
	if (!nlayouts || (permitted & ~COMPONENT_BITS) || (initial & ~permitted) ||
	    !(initial & XFEATURE_X87))
		return XSAVE_EINVAL;
	/* One format for every CPU kind, so the area stays usable wherever the guest runs:
	 * compacted only when all kinds have XSAVEC (13.10). Supervisor components can
	 * only be held by XSAVES (13.11), which needs the compacted format. */
	bool compacted = true, xsaves = true;
	uint64_t sup = 0;
	for (uint32_t k = 0; k < nlayouts; k++) {
		if (!layouts[k].valid)
			return XSAVE_EINVAL;
		compacted = compacted && layouts[k].xsavec;
		xsaves = xsaves && layouts[k].xsaves;
		sup |= layouts[k].sup_mask;
	}
	if ((permitted & sup) && (!compacted || !xsaves))
		return XSAVE_EINVAL;
	uint32_t size = area_size(layouts, nlayouts, compacted, initial);
	void *buf = xsave_heap_alloc(h, size);
	if (!buf)
		return XSAVE_ENOMEM;
	*a = (struct xsave_area){
		.buf = buf,
		.size = size,
		.mask = initial & xsave_supported(&layouts[0]),
		.compacted = compacted,
		.requested = initial,
		.permitted = permitted,
		.layouts = layouts,
		.nlayouts = nlayouts,
	};
	xsave_area_init_image(a);
	return XSAVE_OK;
}

void xsave_area_destroy(struct xsave_heap *h, struct xsave_area *a)
{
	if (a->buf)
		xsave_heap_free(h, a->buf, a->size);
	memset(a, 0, sizeof(*a));
}

void xsave_area_init_image(struct xsave_area *a)
{
	memset(a->buf, 0, a->size);
	struct xsave_legacy *l = xsave_area_legacy(a);
	/* XRSTOR with XSTATE_BV = 0 initializes every requested component (13.8.1), but
	 * the standard form loads MXCSR from memory whenever RFBM[1] or RFBM[2] is set,
	 * so the image carries the init values (FNINIT / reset: FCW 37FH, FSW 0, all tags
	 * empty = abridged FTW 0; MXCSR 1F80H) and is also a correct FXRSTOR image. */
	l->fcw = XSAVE_INIT_FCW;
	l->mxcsr = XSAVE_INIT_MXCSR;
	struct xsave_header *hd = xsave_area_header(a);
	hd->xstate_bv = 0;
	/* What XSAVEC would write for RFBM = mask (13.10). XRSTOR of this image #GPs
	 * unless XCR0 (| IA32_XSS) covers mask, which initializing them needs anyway. */
	hd->xcomp_bv = a->compacted ? XCOMP_BV_COMPACTED | a->mask : 0;
}

/* The header as XSAVE, XSAVEC or XSAVES could have left it; else the area is not ours to move. */
static bool header_sane(const struct xsave_area *a, uint64_t *src_xcomp)
{
	const struct xsave_header *hd = xsave_area_header(a);
	for (unsigned i = 0; i < 6; i++)
		if (hd->reserved[i])
			return false;
	if (!a->compacted) {
		*src_xcomp = 0;
		return hd->xcomp_bv == 0 && !(hd->xstate_bv & ~a->mask);
	}
	uint64_t xc = hd->xcomp_bv & COMPONENT_BITS;
	*src_xcomp = xc;
	return (hd->xcomp_bv & XCOMP_BV_COMPACTED) && !(xc & ~a->mask) && !(hd->xstate_bv & ~xc);
}

/* Copy src's saved state into dst (zeroed, same format, dst->mask a superset). */
static void copy_state(struct xsave_area *dst, const struct xsave_area *src, uint64_t src_xcomp)
{
	const struct xsave_layout *home = &src->layouts[0];
	const struct xsave_header *sh = xsave_area_header(src);
	struct xsave_header *dh = xsave_area_header(dst);
	uint8_t *d = dst->buf;
	const uint8_t *s = src->buf;

	memcpy(d, s, XSAVE_LEGACY_SIZE); /* x87 + SSE (components 0, 1) */
	dh->xstate_bv = sh->xstate_bv;
	if (!dst->compacted) {
		/* Standard format: offsets are fixed by CPUID, whatever the mask (13.4.3). */
		dh->xcomp_bv = 0;
		for (unsigned i = 2; i < XSAVE_NCOMP; i++) {
			if (!(src->mask & home->user_mask & BIT(i)))
				continue;
			uint32_t off = home->comp[i].offset;
			memcpy(d + off, s + off, home->comp[i].size);
		}
		return;
	}
	/* Compacted format: a component's offset depends on every component before it in
	 * XCOMP_BV, so each saved one (XSTATE_BV[i] = 1) is moved to its new place. Those
	 * with XSTATE_BV[i] = 0 are in their init state and XRSTOR does not read them. */
	dh->xcomp_bv = XCOMP_BV_COMPACTED | dst->mask;
	for (unsigned i = 2; i < XSAVE_NCOMP; i++) {
		if (!(sh->xstate_bv & src_xcomp & BIT(i)))
			continue;
		memcpy(d + xsave_compacted_offset(home, dst->mask, i),
		       s + xsave_compacted_offset(home, src_xcomp, i), home->comp[i].size);
	}
}

int xsave_area_grow(struct xsave_heap *h, struct xsave_area *a, uint64_t new_mask)
{
	uint64_t src_xcomp;
	if (new_mask & ~a->permitted)
		return XSAVE_EINVAL;
	uint64_t req = a->requested | new_mask;
	if (req == a->requested)
		return XSAVE_OK;
	if (!header_sane(a, &src_xcomp))
		return XSAVE_EINVAL;
	uint32_t size = area_size(a->layouts, a->nlayouts, a->compacted, req);
	void *buf = xsave_heap_alloc(h, size);
	if (!buf)
		return XSAVE_ENOMEM; /* nothing changed: the caller stops the guest */
	struct xsave_area n = *a;
	n.buf = buf;
	n.size = size;
	n.requested = req;
	n.mask = req & xsave_supported(&a->layouts[0]);
	copy_state(&n, a, src_xcomp);
	xsave_heap_free(h, a->buf, a->size);
	*a = n;
	return XSAVE_OK;
}

void *xsave_area_component(const struct xsave_area *a, unsigned i)
{
	const struct xsave_layout *home = &a->layouts[0];
	if (i < 2 || i >= XSAVE_NCOMP || !(a->mask & BIT(i)))
		return NULL;
	uint32_t off;
	if (a->compacted) {
		const struct xsave_header *hd = xsave_area_header(a);
		if (!(hd->xcomp_bv & XCOMP_BV_COMPACTED))
			return NULL;
		off = xsave_compacted_offset(home, hd->xcomp_bv & COMPONENT_BITS & a->mask, i);
	} else {
		off = xsave_offset(home, false, a->mask, i);
	}
	if (!off || off + home->comp[i].size > a->size)
		return NULL;
	return (uint8_t *)a->buf + off;
}
