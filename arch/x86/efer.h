/* A guest's WRMSR to IA32_EFER, checked the same way by both backends. */
#ifndef ARCH_X86_EFER_H
#define ARCH_X86_EFER_H

#include "hv/types.h"

/* val: what the guest writes; cur: its current EFER (as the guest sees it); paging: its
 * CR0.PG; ext_edx: CPUID.80000001H:EDX as the guest sees it. Returns 0 and the new value in *out
 * (LMA kept: it is read-only and follows CR0.PG), or -1 when the write must #GP. */
/* The EFER bits a guest may set on a CPU whose CPUID.80000001H:EDX is ext_edx (the CPUID
 * feature table checks its EFER needs against this). */
uint64_t efer_guest_allowed(uint32_t ext_edx);
int efer_guest_write(uint64_t val, uint64_t cur, bool paging, uint32_t ext_edx, uint64_t *out);

#endif
