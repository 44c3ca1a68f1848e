/* Guest-virtual memory for the gdb stub (see gdb_mem.h). */
#include "hv/gdb_mem.h"
#include "hv/guest_walk.h"
#include "hv/lib.h"
#include "hv/multiboot_load.h"

#define APIC_PAGE 0xfee00000ull /* never guest RAM (README "What a guest gets") */

int gdb_mem_translate(const struct guest_mem *mem, const struct guest_mode *m, uint64_t linear,
		      uint64_t *gpa)
{
	uint32_t pf;
	uint64_t pa;
	if (guest_walk(mem, m, linear, GUEST_WALK_PEEK, &pa, &pf) != GUEST_WALK_OK)
		return -1;
	if (pa >= mem->size || (pa & ~(PAGE_SIZE - 1)) == APIC_PAGE)
		return -1;
	*gpa = pa;
	return 0;
}

/* The part of [addr, addr + n) in addr's page, and its host address. */
static uint8_t *chunk(const struct guest_mem *mem, const struct guest_mode *m, uint64_t addr,
		      size_t n, size_t *len)
{
	uint64_t gpa;
	if (gdb_mem_translate(mem, m, addr, &gpa) < 0)
		return NULL;
	uint64_t in_page = PAGE_SIZE - (addr & (PAGE_SIZE - 1));
	*len = (size_t)MIN((uint64_t)n, in_page);
	return mem->base + gpa;
}

size_t gdb_mem_read_raw(const struct guest_mem *mem, const struct guest_mode *m, uint64_t addr,
			uint8_t *buf, size_t n)
{
	size_t done = 0;
	while (done < n) {
		size_t len;
		const uint8_t *p = chunk(mem, m, addr + done, n - done, &len);
		if (!p)
			break;
		memcpy(buf + done, p, len);
		done += len;
	}
	return done;
}

size_t gdb_mem_write_raw(const struct guest_mem *mem, const struct guest_mode *m, uint64_t addr,
			 const uint8_t *buf, size_t n)
{
	size_t done = 0;
	while (done < n) {
		size_t len;
		uint8_t *p = chunk(mem, m, addr + done, n - done, &len);
		if (!p)
			break;
		memcpy(p, buf + done, len);
		done += len;
	}
	return done;
}
