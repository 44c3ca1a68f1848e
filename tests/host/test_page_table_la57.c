/* The host PML5 for firmware that runs with 5-level paging (arch/x86/page_table_la57.c). */
#include <stdlib.h>
#include "arch/x86/page_table_la57.h"
#include "tests/host/harness.h"

TEST(pt_la57_root_maps_what_the_pml4_maps)
{
	static struct page_pool pool;
	void *mem = aligned_alloc(4096, 4 << 20);
	REQUIRE(mem);
	page_pool_init(&pool, (uint64_t)(uintptr_t)mem, 4 << 20);
	uint64_t pml4 = pt_new_root(&pool);
	REQUIRE(pml4);
	/* An identity map of the first 8 GiB, as boot/reserve.c builds (2 MiB leaves). */
	REQUIRE(pt_map(&pool, pml4, 0, 0, 8ull << 30, &pt_format_host) == 0);
	uint64_t pml5 = pt_la57_root(&pool, pml4, &pt_format_host);
	REQUIRE(pml5 && pml5 != pml4);
	const uint64_t *e = (const uint64_t *)(uintptr_t)pml5;
	CHECK_EQ(e[0], pml4 | PTE_P | PTE_RW); /* entry 0: the PML4, present and writable */
	int others = 0;
	for (int i = 1; i < 512; i++)
		others += e[i] != 0;
	CHECK_EQ(others, 0);
	/* The 5-level walk gives what the 4-level walk gives, for the whole map. */
	static const uint64_t vas[] = { 0, 0x1000, 0x1234567, 0xfee00000, (4ull << 30) + 0x2345,
					(8ull << 30) - 1 };
	for (size_t i = 0; i < sizeof(vas) / sizeof(vas[0]); i++) {
		uint64_t pa4 = 1, sz4 = 0, pa5 = 2, sz5 = 0;
		CHECK(pt_translate(pml4, vas[i], &pt_format_host, &pa4, &sz4) == 0);
		CHECK(pt_la57_translate(pml5, vas[i], &pt_format_host, &pa5, &sz5) == 0);
		CHECK_EQ(pa5, vas[i]);
		CHECK_EQ(pa5, pa4);
		CHECK_EQ(sz5, sz4);
	}
	/* Beyond the map, and above 256 TiB (PML5 index 1): not present. */
	uint64_t pa, sz;
	CHECK(pt_la57_translate(pml5, 8ull << 30, &pt_format_host, &pa, &sz) == -1);
	CHECK(pt_la57_translate(pml5, 1ull << 48, &pt_format_host, &pa, &sz) == -1);
	/* An empty pool: no root, nothing written. */
	while (page_alloc(&pool, 1, PAGE_SIZE))
		;
	CHECK_EQ(pt_la57_root(&pool, pml4, &pt_format_host), 0);
	free(mem);
}
