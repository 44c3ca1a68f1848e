/* Test fixtures for XSAVE areas (tests/host/xsave_test_env.h). */
#include <stdlib.h>
#include <string.h>
#include "tests/host/xsave_test_env.h"

int pool_env_init(struct pool_env *e, uint64_t pages, uint64_t heap_pages)
{
	size_t size = (pages + 1) * PAGE_SIZE; /* + the pool's bitmap page */
	e->mem = aligned_alloc(PAGE_SIZE, size);
	if (!e->mem || page_pool_init(&e->pool, (uint64_t)(uintptr_t)e->mem, size))
		return -1;
	return xsave_alloc_init(&e->heap, &e->pool, heap_pages);
}

void pool_env_free(struct pool_env *e)
{
	xsave_alloc_destroy(&e->heap);
	free(e->mem);
}

void fill_component(const struct xsave_area *a, unsigned i, uint8_t pattern)
{
	uint8_t *p = xsave_area_component(a, i);
	if (p)
		memset(p, pattern, a->layouts[0].comp[i].size);
}

bool all_bytes(const void *p, uint8_t v, size_t n)
{
	const uint8_t *b = p;
	if (!b)
		return false;
	for (size_t i = 0; i < n; i++)
		if (b[i] != v)
			return false;
	return true;
}
