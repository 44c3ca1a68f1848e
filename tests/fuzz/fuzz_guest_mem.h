/*
 * Guest memory for the loader targets (fuzz_multiboot.c, fuzz_linux_load.c): SIZE bytes
 * mmap()ed between PROT_NONE guard regions, 1 MiB below and 4 GiB + 64 KiB above (every
 * 32-bit offset from the base), so a write outside guest memory is a crash rather than a
 * silent overwrite. One mapping per size, kept for the whole run. The including file
 * defines _DEFAULT_SOURCE before any #include (for MAP_ANONYMOUS under -std=c11).
 */
#ifndef TESTS_FUZZ_FUZZ_GUEST_MEM_H
#define TESTS_FUZZ_FUZZ_GUEST_MEM_H

#include <sys/mman.h>
#include "hv/multiboot_load.h"
#include "tests/fuzz/fuzz_util.h"

#define FUZZ_GUARD_BELOW MIB(1)
#define FUZZ_GUARD_ABOVE (GIB(4) + KIB(64))
#define FUZZ_MEM_SIZES 4

/* Guest memory number which (0..FUZZ_MEM_SIZES-1) of sizes[]. */
static inline struct guest_mem *fuzz_guest_mem(const uint64_t sizes[FUZZ_MEM_SIZES], unsigned which)
{
	static struct guest_mem mems[FUZZ_MEM_SIZES];
	struct guest_mem *m = &mems[which];
	if (!m->base) {
		uint64_t total = FUZZ_GUARD_BELOW + sizes[which] + FUZZ_GUARD_ABOVE;
		uint8_t *r = mmap(NULL, total, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
				  -1, 0);
		FUZZ_CHECK(r != MAP_FAILED);
		FUZZ_CHECK(!mprotect(r + FUZZ_GUARD_BELOW, sizes[which], PROT_READ | PROT_WRITE));
		m->base = r + FUZZ_GUARD_BELOW;
		m->size = sizes[which];
	}
	return m;
}

#endif
