/*
 * 4-level x86 page-table builder shared by the host's identity map, AMD NPT and
 * Intel EPT. The three formats differ only in which bits mark an entry present,
 * writable, executable and large; a pt_format says which.
 */
#ifndef ARCH_X86_PAGE_TABLE_H
#define ARCH_X86_PAGE_TABLE_H

#include "hv/page_alloc.h"

#define PTE_ADDR_MASK 0x000ffffffffff000ull
#define PTE_P BIT(0)
#define PTE_RW BIT(1)
#define PTE_US BIT(2)
#define PTE_PS BIT(7)
/* EPT (Intel SDM vol. 3C 29.3.2): read, write, execute; memory type in bits 5:3. */
#define EPT_R BIT(0)
#define EPT_W BIT(1)
#define EPT_X BIT(2)
#define EPT_MT_WB (6ull << 3)
#define EPT_LARGE BIT(7)

struct pt_format {
	const char *name;
	uint64_t present;     /* bits that make an entry valid (tested with & != 0) */
	uint64_t table_flags; /* bits of an entry pointing at the next table */
	uint64_t leaf_flags;  /* bits of a 4K/2M/1G leaf */
	uint64_t large_flag;  /* the PS bit for 2M/1G leaves */
	bool allow_1g;
};

extern const struct pt_format pt_format_host; /* host identity map: P|RW */
extern const struct pt_format pt_format_npt;  /* AMD APM vol. 2 15.25: guest accesses are user accesses */
extern const struct pt_format pt_format_ept;  /* Intel SDM vol. 3C 29.3: RWX, write-back */

/* A new empty top-level table, or 0 when the pool is empty. */
uint64_t pt_new_root(struct page_pool *pool);
/* Map [va, va+size) to [pa, pa+size) with the largest pages alignment allows.
 * Returns 0, or -1 when tables run out or a range is already mapped. */
int pt_map(struct page_pool *pool, uint64_t root, uint64_t va, uint64_t pa, uint64_t size,
	   const struct pt_format *fmt);
/* Make the 4 KiB page at va not present, splitting the 2 MiB leaf that covers it into
 * 4 KiB leaves with its attributes (page_table.c). -1: not mapped, a 1 GiB leaf, no
 * memory for the split table, or va not page-aligned. No TLB invalidation. */
int pt_unmap_page(struct page_pool *pool, uint64_t root, uint64_t va, const struct pt_format *fmt);
/* Walk: the physical address va maps to and the leaf's size, or -1 when unmapped. */
int pt_translate(uint64_t root, uint64_t va, const struct pt_format *fmt, uint64_t *pa,
		 uint64_t *page_size);
/* Give every table page below root back to the pool (the leaves' memory is not touched). */
void pt_free(struct page_pool *pool, uint64_t root, const struct pt_format *fmt);

#endif
