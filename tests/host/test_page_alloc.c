#include <stdlib.h>
#include <string.h>
#include "hv/page_alloc.h"
#include "tests/host/harness.h"

static void *region(size_t size, uint64_t *start)
{
	void *mem = aligned_alloc(1 << 21, ALIGN_UP(size, (size_t)1 << 21));
	*start = (uint64_t)(uintptr_t)mem;
	return mem;
}

TEST(page_alloc_basic_and_zeroed)
{
	uint64_t start;
	void *mem = region(64 * 4096, &start);
	struct page_pool p;
	memset(mem, 0xaa, 64 * 4096);
	REQUIRE(page_pool_init(&p, start, 64 * 4096) == 0);
	CHECK_EQ(p.npages, 63); /* one bitmap page */
	uint64_t a = page_alloc(&p, 1, 4096);
	uint64_t b = page_alloc(&p, 2, 4096);
	CHECK(a && b && a != b);
	CHECK_EQ(b, a + 4096);
	CHECK(((uint8_t *)(uintptr_t)b)[8191] == 0);
	CHECK_EQ(p.free_pages, 60);
	page_free(&p, a, 1);
	CHECK_EQ(page_alloc(&p, 1, 4096), a); /* first fit reuses the hole */
	free(mem);
}

TEST(page_alloc_alignment_and_exhaustion)
{
	uint64_t start;
	void *mem = region(4 << 20, &start);
	struct page_pool p;
	REQUIRE(page_pool_init(&p, start, 4 << 20) == 0);
	uint64_t small = page_alloc(&p, 1, 4096);
	uint64_t big = page_alloc(&p, 1, 1 << 21);
	CHECK(small != 0);
	CHECK(big != 0 && (big & ((1 << 21) - 1)) == 0);
	CHECK_EQ(page_alloc(&p, 3, 3000), 0); /* bad alignment */
	CHECK_EQ(page_alloc(&p, 0, 4096), 0);
	uint64_t n = 0;
	while (page_alloc(&p, 1, 4096))
		n++;
	CHECK_EQ(p.free_pages, 0);
	CHECK_EQ(n + 2, p.npages);
	CHECK_EQ(page_alloc(&p, 1, 4096), 0);
	page_free(&p, big, 1);
	CHECK_EQ(page_alloc(&p, 1, 4096), big);
	page_free(&p, start - 4096, 1); /* outside the pool: ignored */
	CHECK_EQ(p.free_pages, 0);
	free(mem);
}

TEST(page_alloc_too_small)
{
	uint64_t start;
	void *mem = region(1 << 21, &start);
	struct page_pool p;
	CHECK(page_pool_init(&p, start, 4096) == -1);
	free(mem);
}
