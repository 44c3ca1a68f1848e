/*
 * Guest page walks for data accesses the hypervisor makes on the guest's behalf (INS/OUTS
 * memory operands, hv/io_string.c): linear to guest-physical with the access rights of
 * Intel SDM vol. 3A 4.6 (AMD APM vol. 2 5.6), the #PF error code of 4.7, and the
 * accessed/dirty flags the CPU would set (4.8). Instruction fetch (hv/guest_fetch.c) uses
 * the same walk with GUEST_WALK_PEEK: no checks, nothing written.
 */
#ifndef HV_GUEST_WALK_H
#define HV_GUEST_WALK_H

#include "hv/types.h"
#include "hv/virt_backend.h"

struct guest_mem;

/* access flags */
#define GUEST_WALK_WRITE 1u /* a write (else a read) */
#define GUEST_WALK_USER 2u  /* a user-mode access (CPL 3), else supervisor */
#define GUEST_WALK_PEEK 4u  /* only translate: no rights checked, no A/D flags set */

/* Results */
#define GUEST_WALK_OK 0
#define GUEST_WALK_FAULT 1           /* a page fault: *pf_error holds its error code */
#define GUEST_WALK_OUTSIDE (-1)      /* a paging-structure entry lies outside the partition */
#define GUEST_WALK_UNSUPPORTED (-2)  /* 5-level paging (not offered to guests) */

/* #PF error code bits (SDM vol. 3A 4.7) */
#define PF_ERR_P 1u    /* protection violation (else not present) */
#define PF_ERR_W 2u    /* write */
#define PF_ERR_U 4u    /* user-mode access */
#define PF_ERR_RSVD 8u /* a reserved bit set in a paging-structure entry */

/*
 * Translate linear with the guest's paging mode (none, 32-bit, PAE, 4-level). Checked
 * (without GUEST_WALK_PEEK): present at every level; user accesses need U/S = 1 at every
 * level; writes need R/W = 1 at every level for user accesses and, with CR0.WP, for
 * supervisor ones; supervisor accesses to user pages fault with CR4.SMAP and
 * RFLAGS.AC = 0; XD with EFER.NXE = 0 and PS in a PML4E are reserved bits. Not checked:
 * protection keys (CR4.PKE), reserved physical-address bits above MAXPHYADDR (an address
 * outside the partition is caught anyway), the PAE PDPTE register cache (the PDPTEs are
 * read from memory). On success the accessed flags, and for a write the dirty flag of
 * the final entry, are set.
 */
int guest_walk(const struct guest_mem *mem, const struct guest_mode *m, uint64_t linear,
	       unsigned access, uint64_t *gpa, uint32_t *pf_error);

#endif
