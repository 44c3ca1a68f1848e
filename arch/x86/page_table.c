/* Page-table construction for the host identity map, NPT and EPT (see page_table.h). */
#include "arch/x86/page_table.h"

const struct pt_format pt_format_host = {
	.name = "host", .present = PTE_P, .table_flags = PTE_P | PTE_RW,
	.leaf_flags = PTE_P | PTE_RW, .large_flag = PTE_PS, .allow_1g = false,
};
/* NPT walks treat every guest access as a user access (AMD APM vol. 2 15.25.5), so U/S is set everywhere. */
const struct pt_format pt_format_npt = {
	.name = "npt", .present = PTE_P, .table_flags = PTE_P | PTE_RW | PTE_US,
	.leaf_flags = PTE_P | PTE_RW | PTE_US, .large_flag = PTE_PS, .allow_1g = false,
};
const struct pt_format pt_format_ept = {
	.name = "ept", .present = EPT_R | EPT_W | EPT_X, .table_flags = EPT_R | EPT_W | EPT_X,
	.leaf_flags = EPT_R | EPT_W | EPT_X | EPT_MT_WB, .large_flag = EPT_LARGE, .allow_1g = false,
};

static uint64_t *table(uint64_t addr)
{
	return (uint64_t *)(uintptr_t)(addr & PTE_ADDR_MASK);
}

static unsigned index_at(uint64_t va, int level)
{
	return (va >> (12 + 9 * level)) & 511;
}

uint64_t pt_new_root(struct page_pool *pool)
{
	return page_alloc(pool, 1, PAGE_SIZE);
}

static int map_one(struct page_pool *pool, uint64_t root, uint64_t va, uint64_t pa, int leaf_level,
		   const struct pt_format *fmt)
{
	uint64_t *t = table(root);
	for (int level = 3; level > leaf_level; level--) {
		uint64_t *e = &t[index_at(va, level)];
		if (!(*e & fmt->present)) {
			uint64_t next = page_alloc(pool, 1, PAGE_SIZE);
			if (!next)
				return -1;
			*e = next | fmt->table_flags;
		} else if (level <= 2 && (*e & fmt->large_flag)) {
			return -1; /* already covered by a large page */
		}
		t = table(*e);
	}
	uint64_t *e = &t[index_at(va, leaf_level)];
	if (*e & fmt->present)
		return -1;
	*e = pa | fmt->leaf_flags | (leaf_level ? fmt->large_flag : 0);
	return 0;
}

int pt_map(struct page_pool *pool, uint64_t root, uint64_t va, uint64_t pa, uint64_t size,
	   const struct pt_format *fmt)
{
	if (!IS_ALIGNED(va | pa | size, PAGE_SIZE) || va + size < va)
		return -1;
	while (size) {
		int level = 0;
		if (fmt->allow_1g && IS_ALIGNED(va | pa, GIB(1)) && size >= GIB(1))
			level = 2;
		else if (IS_ALIGNED(va | pa, MIB(2)) && size >= MIB(2))
			level = 1;
		uint64_t step = PAGE_SIZE << (9 * level);
		if (map_one(pool, root, va, pa, level, fmt))
			return -1;
		va += step;
		pa += step;
		size -= step;
	}
	return 0;
}

/*
 * Make the 4 KiB page at va not present (a guard page). A 2 MiB leaf covering it is first
 * split into 512 4 KiB leaves that map the same memory with the same attributes: bits
 * 11:0 but the large-page bit, and 63:52 (NX). A large leaf with bit 12 set (the PAT bit
 * of a 2 MiB leaf in x86 paging, SDM vol. 3A 4.5) is refused: at 4 KiB that bit is an
 * address bit. 1 GiB leaves are refused too (no format maps host memory with them).
 * The caller invalidates the TLB, or calls this before the tables are in use.
 */
int pt_unmap_page(struct page_pool *pool, uint64_t root, uint64_t va, const struct pt_format *fmt)
{
	if (!IS_ALIGNED(va, PAGE_SIZE))
		return -1;
	uint64_t *t = table(root);
	for (int level = 3; level > 0; level--) {
		uint64_t *e = &t[index_at(va, level)];
		if (!(*e & fmt->present))
			return -1;
		if (*e & fmt->large_flag) {
			if (level != 1 || (*e & BIT(12)))
				return -1;
			uint64_t split = page_alloc(pool, 1, PAGE_SIZE);
			if (!split)
				return -1;
			uint64_t attrs = *e & ((PAGE_SIZE - 1) | (0xfffull << 52)) & ~fmt->large_flag;
			uint64_t pa = *e & PTE_ADDR_MASK & ~(MIB(2) - 1);
			uint64_t *leaves = table(split);
			for (uint64_t i = 0; i < 512; i++)
				leaves[i] = (pa + i * PAGE_SIZE) | attrs;
			*e = split | fmt->table_flags;
		}
		t = table(*e);
	}
	uint64_t *e = &t[index_at(va, 0)];
	if (!(*e & fmt->present))
		return -1;
	*e = 0;
	return 0;
}

int pt_translate(uint64_t root, uint64_t va, const struct pt_format *fmt, uint64_t *pa,
		 uint64_t *page_size)
{
	uint64_t *t = table(root);
	for (int level = 3; level >= 0; level--) {
		uint64_t e = t[index_at(va, level)];
		if (!(e & fmt->present))
			return -1;
		if (level == 0 || (level <= 2 && (e & fmt->large_flag))) {
			uint64_t size = PAGE_SIZE << (9 * level);
			*pa = (e & PTE_ADDR_MASK & ~(size - 1)) | (va & (size - 1));
			*page_size = size;
			return 0;
		}
		t = table(e);
	}
	return -1;
}

static void free_level(struct page_pool *pool, uint64_t addr, int level, const struct pt_format *fmt)
{
	uint64_t *t = table(addr);
	for (int i = 0; level > 0 && i < 512; i++) {
		if ((t[i] & fmt->present) && !(t[i] & fmt->large_flag))
			free_level(pool, t[i], level - 1, fmt);
	}
	page_free(pool, addr & PTE_ADDR_MASK, 1);
}

void pt_free(struct page_pool *pool, uint64_t root, const struct pt_format *fmt)
{
	if (root)
		free_level(pool, root, 3, fmt);
}
