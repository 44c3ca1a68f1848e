/* The host's PML5 when the firmware runs with 5-level paging (see page_table_la57.h). */
#include "arch/x86/page_table_la57.h"

uint64_t pt_la57_root(struct page_pool *pool, uint64_t pml4, const struct pt_format *fmt)
{
	uint64_t pml5 = pt_new_root(pool); /* a zeroed page: entries 1-511 not present */
	if (pml5)
		((uint64_t *)(uintptr_t)pml5)[0] = (pml4 & PTE_ADDR_MASK) | fmt->table_flags;
	return pml5;
}

int pt_la57_translate(uint64_t pml5, uint64_t va, const struct pt_format *fmt, uint64_t *pa,
		      uint64_t *page_size)
{
	/* Bits 56:48 index the PML5 (vol. 3A 4.5.4); below that the walk is the 4-level one. */
	uint64_t e = ((const uint64_t *)(uintptr_t)pml5)[(va >> 48) & 511];
	if (!(e & fmt->present))
		return -1;
	return pt_translate(e & PTE_ADDR_MASK, va & ((1ull << 48) - 1), fmt, pa, page_size);
}
