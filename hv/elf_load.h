/*
 * Internal interface between the ELF segment loader (hv/elf_load.c) and the
 * multiboot loader (hv/multiboot_load.c). Not for other users: elf_load()
 * applies the multiboot rules (physical load addresses, entry < 4 GiB,
 * "kernel: " messages).
 */
#ifndef HV_ELF_LOAD_H
#define HV_ELF_LOAD_H

#include "hv/multiboot_load.h"

/* Real kernels have a handful; the cap bounds the O(n^2) overlap check and the stack. */
#define KERNEL_MAX_SEGS 32

struct gpa_range { uint64_t start, end; }; /* [start, end), guest-physical */

/* Where a kernel image went: what the boot-info placement must avoid. */
struct kernel_layout {
	uint64_t entry;      /* guest-physical entry point, < 4 GiB */
	uint64_t start, end; /* lowest and highest byte (exclusive) written, incl. bss */
	unsigned nseg;
	struct gpa_range seg[KERNEL_MAX_SEGS]; /* each non-empty, pairwise disjoint */
};

/*
 * Validate the ELF32/ELF64 executable image[0..image_size) completely, then
 * copy every PT_LOAD segment to its p_paddr in mem and zero its bss. Returns 0
 * and fills *out, or -1 with a "kernel: ..." message in err (mem untouched).
 */
int elf_load(struct guest_mem *mem, const void *image, size_t image_size,
	     struct kernel_layout *out, char *err, size_t errlen);

/* Shared by both loaders: format err (if any) and return -1. */
int loader_fail(char *err, size_t errlen, const char *fmt, ...) PRINTF_LIKE(3, 4);

/* "8 MiB", "12 KiB" or "1234 bytes": the largest unit that divides exactly. */
void loader_fmt_size(char *buf, size_t len, uint64_t bytes);

#endif
