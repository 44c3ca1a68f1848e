/*
 * The e820 table of a Linux guest (zero-page.rst: e820_entries at 0x1E8,
 * e820_table at 0x2D0). It is the multiboot memory map (mb_memory_map: low
 * RAM, the reserved legacy hole with the ACPI tables, RAM from 1 MiB, the local
 * APIC page cut out) with two more ranges reserved: the loader's boot area
 * (GDT, page tables, zero page, command line; hv/linux_load.h) and the IOAPIC
 * page at 0xFEC00000 where RAM covers it. A Linux kernel needs at least two
 * entries and usable RAM below 1 MiB (../shared/LINUX-GUEST.md).
 */
#include "hv/lib.h"
#include "hv/linux_load.h"

/* Mark [a, b) reserved in t[0..*n), splitting the RAM entries it covers part of. */
static void reserve(struct linux_e820_entry *t, unsigned *n, uint64_t a, uint64_t b)
{
	for (unsigned i = 0; i < *n; i++) {
		struct linux_e820_entry e = t[i];
		uint64_t end = e.addr + e.size;
		if (e.type != LINUX_E820_RAM || b <= e.addr || a >= end)
			continue;
		struct linux_e820_entry parts[3];
		unsigned np = 0;
		if (a > e.addr)
			parts[np++] = (struct linux_e820_entry){ e.addr, a - e.addr, LINUX_E820_RAM };
		uint64_t ra = MAX(a, e.addr), rb = MIN(b, end);
		parts[np++] = (struct linux_e820_entry){ ra, rb - ra, LINUX_E820_RESERVED };
		if (b < end)
			parts[np++] = (struct linux_e820_entry){ b, end - b, LINUX_E820_RAM };
		/* Room: the caller's table has LINUX_E820_MAX slots for at most 2 splits. */
		memmove(&t[i + np], &t[i + 1], (*n - i - 1) * sizeof(*t));
		memcpy(&t[i], parts, np * sizeof(*t));
		*n += np - 1;
		i += np - 1;
	}
}

_Static_assert(MB_MMAP_MAX + 2 * 2 <= LINUX_E820_MAX, "two reservations split two entries at most");

unsigned linux_e820_table(uint64_t mem_size, struct linux_e820_entry out[LINUX_E820_MAX])
{
	struct mb_mmap_entry mb[MB_MMAP_MAX];
	unsigned nmb = mb_memory_map(mem_size, mb), n = 0;
	for (unsigned i = 0; i < nmb; i++)
		out[n++] = (struct linux_e820_entry){
			mb[i].addr, mb[i].len,
			mb[i].type == MB_MMAP_AVAILABLE ? LINUX_E820_RAM : LINUX_E820_RESERVED };
	reserve(out, &n, LINUX_GDT_GPA, LINUX_BOOT_AREA_END);
	reserve(out, &n, LINUX_IOAPIC_BASE, LINUX_IOAPIC_BASE + PAGE_SIZE);
	return n;
}
