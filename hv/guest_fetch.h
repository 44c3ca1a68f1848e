/* Reading guest memory as the guest's own code sees it: linear addresses through its page tables. */
#ifndef HV_GUEST_FETCH_H
#define HV_GUEST_FETCH_H

#include "hv/types.h"
#include "hv/virt_backend.h"

struct guest_mem;

/* Guest-physical bytes: 0, or -1 when [gpa, gpa+n) leaves the partition. */
int guest_phys_read(const struct guest_mem *mem, uint64_t gpa, void *dst, size_t n);
/* Translate a linear address with the guest's paging mode (none, 32-bit, PAE, 4-level). */
int guest_linear_to_phys(const struct guest_mem *mem, const struct guest_mode *m, uint64_t linear,
			 uint64_t *gpa);
/* Up to 15 bytes at CS:RIP into code, stopping at the first page that does not translate
 * or leaves the partition: how many were fetched (0..15). */
size_t guest_insn_fetch(const struct guest_mem *mem, const struct guest_mode *m, uint8_t code[15]);
/* Length of the instruction at CS:RIP (1..15), or -1 when it cannot be fetched or decoded. */
int guest_insn_length(const struct guest_mem *mem, const struct guest_mode *m);

#endif
