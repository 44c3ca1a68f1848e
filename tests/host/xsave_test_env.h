/* A page pool with an XSAVE heap on it, and byte helpers for areas: shared by the
 * host tests of hv/xsave_alloc.c (test_xsave.c) and hv/xfd_state.c (test_xfd.c). */
#ifndef TESTS_HOST_XSAVE_TEST_ENV_H
#define TESTS_HOST_XSAVE_TEST_ENV_H

#include "hv/xsave_alloc.h"

struct pool_env {
	void *mem;
	struct page_pool pool;
	struct xsave_heap heap;
};

/* A page pool of `pages` allocatable pages, and a heap taking heap_pages of them. */
int pool_env_init(struct pool_env *e, uint64_t pages, uint64_t heap_pages);
void pool_env_free(struct pool_env *e);

/* Sets every byte of component i of a (if a has it) to pattern. */
void fill_component(const struct xsave_area *a, unsigned i, uint8_t pattern);
/* True when p is not NULL and its n bytes are all v. */
bool all_bytes(const void *p, uint8_t v, size_t n);

#endif
