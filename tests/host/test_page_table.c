#include <stdlib.h>
#include "arch/x86/page_table.h"
#include "tests/host/harness.h"

static struct page_pool pool;
static void *pool_mem;

static void setup(void)
{
	if (!pool_mem)
		pool_mem = aligned_alloc(4096, 8 << 20);
	page_pool_init(&pool, (uint64_t)(uintptr_t)pool_mem, 8 << 20);
}

TEST(pt_npt_partition_uses_2m_pages)
{
	setup();
	uint64_t root = pt_new_root(&pool);
	REQUIRE(root);
	uint64_t free_before = pool.free_pages;
	/* 32 MiB guest at host 0x40000000: PDPT + PD only, 16 large leaves. */
	REQUIRE(pt_map(&pool, root, 0, 0x40000000, 32 << 20, &pt_format_npt) == 0);
	CHECK_EQ(free_before - pool.free_pages, 2);
	uint64_t pa, sz;
	REQUIRE(pt_translate(root, 0x1234567, &pt_format_npt, &pa, &sz) == 0);
	CHECK_EQ(pa, 0x41234567);
	CHECK_EQ(sz, 2 << 20);
	CHECK(pt_translate(root, 32 << 20, &pt_format_npt, &pa, &sz) == -1);
	CHECK(pt_translate(root, 0xfee00000, &pt_format_npt, &pa, &sz) == -1);
	uint64_t *pml4 = (uint64_t *)(uintptr_t)root;
	CHECK_EQ(pml4[0] & 0xfff, PTE_P | PTE_RW | PTE_US);
	pt_free(&pool, root, &pt_format_npt);
	CHECK_EQ(pool.free_pages, free_before + 1);
}

TEST(pt_unaligned_partition_falls_back_to_4k)
{
	setup();
	uint64_t root = pt_new_root(&pool);
	REQUIRE(pt_map(&pool, root, 0, 0x40001000, 4 << 20, &pt_format_ept) == 0);
	uint64_t pa, sz;
	REQUIRE(pt_translate(root, 0x3ff000, &pt_format_ept, &pa, &sz) == 0);
	CHECK_EQ(pa, 0x403ff000 + 0x1000);
	CHECK_EQ(sz, 4096);
	/* EPT leaves carry RWX and write-back. */
	CHECK(pt_translate(root, 4 << 20, &pt_format_ept, &pa, &sz) == -1);
}

TEST(pt_rejects_overlap_and_misalignment)
{
	setup();
	uint64_t root = pt_new_root(&pool);
	REQUIRE(pt_map(&pool, root, 0, 0, 4 << 20, &pt_format_host) == 0);
	CHECK(pt_map(&pool, root, 0x200000, 0x200000, 4096, &pt_format_host) == -1);
	CHECK(pt_map(&pool, root, 0x1000, 0, 4096, &pt_format_host) == -1);
	CHECK(pt_map(&pool, root, 0x10000000, 0x123, 4096, &pt_format_host) == -1);
	CHECK(pt_map(&pool, root, ~0xfffull, 0, 8192, &pt_format_host) == -1); /* wraps */
}

TEST(pt_out_of_tables)
{
	static uint8_t tiny[6 * 4096] __attribute__((aligned(4096)));
	struct page_pool p;
	REQUIRE(page_pool_init(&p, (uint64_t)(uintptr_t)tiny, sizeof(tiny)) == 0);
	uint64_t root = pt_new_root(&p);
	REQUIRE(root);
	/* Each 512 GiB-apart mapping needs three new tables: the second cannot fit. */
	CHECK(pt_map(&p, root, 0, 0, 4096, &pt_format_host) == 0);
	CHECK(pt_map(&p, root, 1ull << 39, 0, 4096, &pt_format_host) == -1);
}

/* Guard pages in the host identity map: the covering 2 MiB leaf becomes 512 4 KiB leaves
 * with the same attributes, one of them not present; nothing else changes. */
TEST(pt_unmap_page_splits_a_2m_leaf)
{
	setup();
	uint64_t root = pt_new_root(&pool);
	REQUIRE(root);
	REQUIRE(pt_map(&pool, root, 0, 0, 8 << 20, &pt_format_host) == 0);
	uint64_t free_before = pool.free_pages;
	REQUIRE(pt_unmap_page(&pool, root, 0x201000, &pt_format_host) == 0);
	CHECK_EQ(free_before - pool.free_pages, 1); /* one new page table */
	uint64_t pa, sz;
	CHECK(pt_translate(root, 0x201000, &pt_format_host, &pa, &sz) == -1);
	CHECK(pt_translate(root, 0x201fff, &pt_format_host, &pa, &sz) == -1);
	REQUIRE(pt_translate(root, 0x200123, &pt_format_host, &pa, &sz) == 0);
	CHECK_EQ(pa, 0x200123);
	CHECK_EQ(sz, 4096);
	REQUIRE(pt_translate(root, 0x3ff008, &pt_format_host, &pa, &sz) == 0);
	CHECK_EQ(pa, 0x3ff008);
	CHECK_EQ(sz, 4096);
	/* The neighbouring 2 MiB leaves stay large. */
	REQUIRE(pt_translate(root, 0x1ff000, &pt_format_host, &pa, &sz) == 0);
	CHECK_EQ(sz, 2 << 20);
	REQUIRE(pt_translate(root, 0x400000, &pt_format_host, &pa, &sz) == 0);
	CHECK_EQ(sz, 2 << 20);
	/* Every 4 KiB leaf has exactly the large leaf's attributes, without PS. */
	uint64_t *pml4 = (uint64_t *)(uintptr_t)root;
	uint64_t *pdpt = (uint64_t *)(uintptr_t)(pml4[0] & PTE_ADDR_MASK);
	uint64_t *pd = (uint64_t *)(uintptr_t)(pdpt[0] & PTE_ADDR_MASK);
	CHECK_EQ(pd[1] & 0xfff, PTE_P | PTE_RW);
	uint64_t *pt = (uint64_t *)(uintptr_t)(pd[1] & PTE_ADDR_MASK);
	CHECK_EQ(pt[0], 0x200000 | PTE_P | PTE_RW);
	CHECK_EQ(pt[1], 0);
	CHECK_EQ(pt[511], 0x3ff000 | PTE_P | PTE_RW);
	/* A second guard in the same 2 MiB needs no new table; a hole cannot be unmapped twice. */
	REQUIRE(pt_unmap_page(&pool, root, 0x205000, &pt_format_host) == 0);
	CHECK_EQ(free_before - pool.free_pages, 1);
	CHECK(pt_translate(root, 0x205000, &pt_format_host, &pa, &sz) == -1);
	CHECK(pt_unmap_page(&pool, root, 0x201000, &pt_format_host) == -1);
	CHECK(pt_unmap_page(&pool, root, 0x201800, &pt_format_host) == -1); /* unaligned */
	CHECK(pt_unmap_page(&pool, root, 16 << 20, &pt_format_host) == -1); /* never mapped */
	pt_free(&pool, root, &pt_format_host);
	CHECK_EQ(pool.free_pages, free_before + 3); /* PML4, PDPT, PD and the split table */
}

TEST(pt_unmap_page_keeps_ept_attributes_and_refuses_1g)
{
	setup();
	uint64_t root = pt_new_root(&pool);
	REQUIRE(pt_map(&pool, root, 0, 0x40000000, 2 << 20, &pt_format_ept) == 0);
	REQUIRE(pt_unmap_page(&pool, root, 0x1000, &pt_format_ept) == 0);
	uint64_t *pml4 = (uint64_t *)(uintptr_t)root;
	uint64_t *pdpt = (uint64_t *)(uintptr_t)(pml4[0] & PTE_ADDR_MASK);
	uint64_t *pd = (uint64_t *)(uintptr_t)(pdpt[0] & PTE_ADDR_MASK);
	uint64_t *pt = (uint64_t *)(uintptr_t)(pd[0] & PTE_ADDR_MASK);
	CHECK_EQ(pt[2], (0x40002000 | EPT_R | EPT_W | EPT_X | EPT_MT_WB));
	/* A hand-made 1 GiB leaf is refused, not split. */
	uint64_t root2 = pt_new_root(&pool);
	uint64_t pdpt2 = page_alloc(&pool, 1, 4096);
	REQUIRE(root2 && pdpt2);
	((uint64_t *)(uintptr_t)root2)[0] = pdpt2 | PTE_P | PTE_RW;
	((uint64_t *)(uintptr_t)pdpt2)[0] = PTE_P | PTE_RW | PTE_PS;
	CHECK(pt_unmap_page(&pool, root2, 0x1000, &pt_format_host) == -1);
}
