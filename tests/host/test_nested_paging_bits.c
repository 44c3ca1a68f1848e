/*
 * The nested page tables a partition gets (arch/x86/guest_ram_map.c, as the SVM and VMX
 * backends call it), entry by entry, with the bit positions written here from the manuals
 * and not taken from page_table.h:
 *  - EPT (Intel SDM vol. 3C 29.3.2, tables 29-1..29-6): bit 0 read, 1 write, 2 execute;
 *    leaves: bits 5:3 memory type (6 = WB), bit 6 ignore PAT (clear: the guest's PAT
 *    combines with WB, as the code intends), bit 7 = 1 on a 2 MiB leaf; non-leaf entries:
 *    bits 7:3 zero. Bits 8 (accessed), 10 (user execute, MBEC) and 63 (suppress #VE) clear.
 *  - NPT (AMD APM vol. 2 15.25.5, legacy long-mode format): bit 0 P, 1 R/W, 2 U/S (set:
 *    nested walks are user accesses), 3 PWT and 4 PCD clear (write-back), bit 7 PS on a
 *    2 MiB leaf, bit 12 (PAT of a large page) and bit 7 of a 4 KiB leaf (its PAT) clear,
 *    bit 63 NX clear: guest RAM is executable.
 * Leaves are 2 MiB wherever guest-physical and host-physical alignment allow, never 1 GiB,
 * and the local APIC page is an all-zero entry.
 */
#include <stdlib.h>
#include "arch/x86/guest_ram_map.h"
#include "tests/host/harness.h"

#define ADDR(e) ((e) & 0x000ffffffffff000ull)

struct expect {
	const char *name;
	const struct pt_format *fmt;
	uint64_t table_low12; /* bits 11:0 of an entry that points at a table */
	uint64_t leaf2m_low21; /* bits 20:0 of a 2 MiB leaf */
	uint64_t leaf4k_low12; /* bits 11:0 of a 4 KiB leaf */
};

static const struct expect formats[] = {
	/* EPT: RWX = 0x7; leaf + WB (6 << 3 = 0x30); 2 MiB + bit 7 = 0x80. */
	{ "ept", &pt_format_ept, 0x007, 0x0b7, 0x037 },
	/* NPT: P|RW|US = 0x7; 2 MiB + PS = 0x80. */
	{ "npt", &pt_format_npt, 0x007, 0x087, 0x007 },
};

struct walk {
	const struct expect *x;
	uint64_t hpa, size;
	unsigned leaves_2m, leaves_4k, holes, bad;
};

static void bad(struct walk *w, const char *what, uint64_t gpa, uint64_t e)
{
	if (w->bad++ < 8)
		printf("    %s gpa 0x%llx: %s (entry 0x%016llx)\n", w->x->name, (unsigned long long)gpa,
		       what, (unsigned long long)e);
}

static void walk(struct walk *w, uint64_t table, int level, uint64_t gpa_base)
{
	const uint64_t *t = (const uint64_t *)(uintptr_t)table;
	for (unsigned i = 0; i < 512; i++) {
		uint64_t e = t[i], gpa = gpa_base + ((uint64_t)i << (12 + 9 * level));
		if (gpa >= w->size || (level == 3 && i > 0)) {
			if (e)
				bad(w, "entry beyond the partition", gpa, e);
			continue;
		}
		if (level == 0 || (level == 1 && (e & 0x80))) {
			uint64_t want_pa = w->hpa + gpa;
			if (level == 0 && (gpa == 0xfee00000ull || gpa == 0xfec00000ull)) {
				if (e)
					bad(w, "the local APIC or I/O APIC page is mapped", gpa, e);
				w->holes++;
				continue;
			}
			if (ADDR(e) != want_pa)
				bad(w, "leaf maps the wrong host address", gpa, e);
			if (e >> 52)
				bad(w, "leaf has bits 63:52 set (NX / suppress #VE / ignored)", gpa, e);
			if (level == 1) {
				w->leaves_2m++;
				if ((e & 0x1fffff) != w->x->leaf2m_low21)
					bad(w, "2 MiB leaf bits 20:0", gpa, e);
			} else {
				w->leaves_4k++;
				if ((e & 0xfff) != w->x->leaf4k_low12)
					bad(w, "4 KiB leaf bits 11:0", gpa, e);
			}
			continue;
		}
		if (!e) {
			bad(w, "RAM not mapped", gpa, e);
			continue;
		}
		if ((e & 0xfff) != w->x->table_low12 || (e >> 52))
			bad(w, level == 2 ? "PDPTE (no 1 GiB leaves are used)" : "table entry bits", gpa, e);
		walk(w, ADDR(e), level - 1, gpa);
	}
}

static struct walk map_and_walk(const struct expect *x, uint64_t hpa, uint64_t size)
{
	static struct page_pool pool;
	static void *mem;
	if (!mem)
		mem = aligned_alloc(4096, 8 << 20);
	page_pool_init(&pool, (uint64_t)(uintptr_t)mem, 8 << 20);
	struct walk w = { x, hpa, size, 0, 0, 0, 0 };
	uint64_t root = pt_new_root(&pool);
	if (!root || guest_ram_map(&pool, root, hpa, size, x->fmt)) {
		w.bad = 1000;
		return w;
	}
	walk(&w, root, 3, 0);
	pt_free(&pool, root, x->fmt);
	return w;
}

TEST(nested_paging_leaf_bits_raw)
{
	for (unsigned f = 0; f < 2; f++) {
		/* 5 GiB at a 4 GiB host address: 2 MiB leaves, and the local APIC and I/O APIC
		 * pages split out (hv/vioapic.h). */
		struct walk w = map_and_walk(&formats[f], 0x100000000ull, 5ull << 30);
		CHECK_EQ(w.bad, 0);
		CHECK_EQ(w.leaves_2m, 5 * 512 - 2);
		CHECK_EQ(w.leaves_4k, 2 * 511);
		CHECK_EQ(w.holes, 2);
		/* 4 MiB at a host address aligned only to 4 KiB: 4 KiB leaves throughout. */
		w = map_and_walk(&formats[f], 0x40001000ull, 4 << 20);
		CHECK_EQ(w.bad, 0);
		CHECK_EQ(w.leaves_2m, 0);
		CHECK_EQ(w.leaves_4k, 1024);
		CHECK_EQ(w.holes, 0);
	}
}
