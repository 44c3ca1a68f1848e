/*
 * Guest memory as gdb reads and writes it: guest-virtual addresses (taken as linear: the
 * guests use flat segments) translated through the guest's own page tables in its current
 * paging mode (hv/guest_walk.c, GUEST_WALK_PEEK: no rights checked, no accessed/dirty flags
 * set, as a debugger must not change what the guest sees), page by page. The bytes the stub
 * patched with INT3 for software breakpoints read back as the guest's own
 * (hv/gdb_break.h). Pure logic.
 */
#ifndef HV_GDB_MEM_H
#define HV_GDB_MEM_H

#include "hv/types.h"
#include "hv/virt_backend.h"

struct guest_mem;

/* Guest-physical address of linear, or -1 when it is not mapped (not present, or outside
 * the partition). */
int gdb_mem_translate(const struct guest_mem *mem, const struct guest_mode *m, uint64_t linear,
		      uint64_t *gpa);
/* Raw accesses (no breakpoint shadows): the number of bytes done from the start, stopping
 * at the first unmapped page. */
size_t gdb_mem_read_raw(const struct guest_mem *mem, const struct guest_mode *m, uint64_t addr,
			uint8_t *buf, size_t n);
size_t gdb_mem_write_raw(const struct guest_mem *mem, const struct guest_mode *m, uint64_t addr,
			 const uint8_t *buf, size_t n);

#endif
