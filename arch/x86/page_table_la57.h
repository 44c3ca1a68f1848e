/*
 * 5-level paging for the host (CR4.LA57, SDM vol. 3A 4.5). CR4.LA57 cannot change in
 * IA-32e mode (MOV to CR4 #GPs, vol. 3A 2.5, 4.1.1), so when the firmware hands over with
 * 5-level paging on, the host's CR3 must point at a PML5. The identity map lies below
 * 256 TiB, which one PML4 covers: a PML5 whose entry 0 points at that PML4 maps the same
 * addresses, and every other entry stays not present.
 */
#ifndef ARCH_X86_PAGE_TABLE_LA57_H
#define ARCH_X86_PAGE_TABLE_LA57_H

#include "arch/x86/page_table.h"

/* A new PML5 whose entry 0 points at pml4 (with fmt's table flags), or 0 when the pool is
 * empty. Build and change the map through pml4 (pt_map, pt_unmap_page): they walk 4 levels. */
uint64_t pt_la57_root(struct page_pool *pool, uint64_t pml4, const struct pt_format *fmt);

/* The 5-level walk from a PML5 (what the CPU does with CR4.LA57 = 1), for tests. */
int pt_la57_translate(uint64_t pml5, uint64_t va, const struct pt_format *fmt, uint64_t *pa,
		      uint64_t *page_size);

#endif
