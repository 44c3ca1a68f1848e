/* VMX MSR bitmap and I/O bitmaps, generated from the MSR policy table (SDM vol. 3C 24.6.4, 24.6.9). */
#ifndef ARCH_X86_VMX_MSR_BITMAP_H
#define ARCH_X86_VMX_MSR_BITMAP_H

#include "hv/types.h"

#define VMX_MSR_BITMAP_SIZE 4096 /* read-low, read-high, write-low, write-high: 1 KiB each */
#define VMX_IO_BITMAP_SIZE 4096  /* A: ports 0x0000-0x7FFF, B: 0x8000-0xFFFF, one page each */

/* Every MSR intercepted except the passthrough directions of the policy table. */
void vmx_msr_bitmap_build(uint8_t *bitmap);
/* Does the bitmap intercept this access? MSRs outside the two ranges always exit (25.1.3). */
bool vmx_msr_bitmap_intercepts(const uint8_t *bitmap, uint32_t msr, bool write);
/* Switch one MSR's intercept at run time (the XFD scheme, hv/xstate.c); -1 when the MSR is
 * outside the bitmap, where it always exits. */
int vmx_msr_bitmap_set(uint8_t *bitmap, uint32_t msr, bool write, bool intercept);
/* Every port intercepted in both bitmaps: the virtual platform emulates all I/O. */
void vmx_io_bitmaps_build(uint8_t *a, uint8_t *b);

#endif
