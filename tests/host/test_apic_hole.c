/* The local APIC hole: a guest whose RAM covers 0xFEE00000 gets that page unmapped in its
 * nested tables (arch/x86/guest_ram_map.c) and reported reserved (hv/multiboot_load.c).
 * The I/O APIC page at 0xFEC00000 (hv/vioapic.h) is cut out the same way. */
#include <stdlib.h>
#include "arch/x86/guest_ram_map.h"
#include "hv/multiboot_load.h"
#include "tests/host/harness.h"

static struct page_pool pool;
static void *pool_mem;

static void setup(void)
{
	if (!pool_mem)
		pool_mem = aligned_alloc(4096, 8 << 20);
	page_pool_init(&pool, (uint64_t)(uintptr_t)pool_mem, 8 << 20);
}

static void check_hole(const struct pt_format *fmt)
{
	setup();
	uint64_t root = pt_new_root(&pool), pa, sz;
	const uint64_t hpa = 0x100000000ull, size = 5ull << 30;
	REQUIRE(guest_ram_map(&pool, root, hpa, size, fmt) == 0);
	CHECK(pt_translate(root, 0xfee00000, fmt, &pa, &sz) == -1);
	CHECK(pt_translate(root, 0xfee00ffc, fmt, &pa, &sz) == -1);
	/* The rest of its 2 MiB leaf [0xfee00000, 0xff000000) still maps, as 4 KiB pages. */
	REQUIRE(pt_translate(root, 0xfee01008, fmt, &pa, &sz) == 0);
	CHECK_EQ(pa, hpa + 0xfee01008);
	CHECK_EQ(sz, 4096);
	REQUIRE(pt_translate(root, 0xfefff000, fmt, &pa, &sz) == 0);
	CHECK_EQ(pa, hpa + 0xfefff000);
	CHECK_EQ(sz, 4096);
	/* The I/O APIC page too; the rest of its leaf maps as 4 KiB pages. */
	CHECK(pt_translate(root, 0xfec00000, fmt, &pa, &sz) == -1);
	CHECK(pt_translate(root, 0xfec00ff0, fmt, &pa, &sz) == -1);
	REQUIRE(pt_translate(root, 0xfec01000, fmt, &pa, &sz) == 0);
	CHECK_EQ(pa, hpa + 0xfec01000);
	CHECK_EQ(sz, 4096);
	REQUIRE(pt_translate(root, 0xfedff000, fmt, &pa, &sz) == 0);
	CHECK_EQ(pa, hpa + 0xfedff000);
	CHECK_EQ(sz, 4096);
	REQUIRE(pt_translate(root, 0xfebff000, fmt, &pa, &sz) == 0);
	CHECK_EQ(pa, hpa + 0xfebff000);
	CHECK_EQ(sz, 2 << 20); /* other leaves stay large */
	REQUIRE(pt_translate(root, size - 8, fmt, &pa, &sz) == 0);
	CHECK_EQ(pa, hpa + size - 8);
	/* Nothing past the partition: its first byte and the next 2 MiB and 1 GiB are unmapped. */
	CHECK(pt_translate(root, size, fmt, &pa, &sz) == -1);
	CHECK(pt_translate(root, size + (2 << 20) - 1, fmt, &pa, &sz) == -1);
	CHECK(pt_translate(root, size + (1ull << 30), fmt, &pa, &sz) == -1);
	pt_free(&pool, root, fmt);
}

TEST(apic_hole_npt)
{
	check_hole(&pt_format_npt);
}

TEST(apic_hole_ept)
{
	check_hole(&pt_format_ept);
}

TEST(apic_hole_only_when_ram_covers_the_page)
{
	setup();
	uint64_t root = pt_new_root(&pool), pa, sz;
	REQUIRE(guest_ram_map(&pool, root, 0x40000000, 0xfec00000, &pt_format_npt) == 0);
	REQUIRE(pt_translate(root, 0xfebff000, &pt_format_npt, &pa, &sz) == 0);
	CHECK_EQ(pa, 0x40000000 + 0xfebff000ull);
	CHECK_EQ(sz, 2 << 20); /* RAM ends below the I/O APIC page: nothing cut */
	CHECK(pt_translate(root, 0xfec00000, &pt_format_npt, &pa, &sz) == -1);
	pt_free(&pool, root, &pt_format_npt);
	root = pt_new_root(&pool);
	REQUIRE(guest_ram_map(&pool, root, 0x40000000, 0xfee00000, &pt_format_npt) == 0);
	CHECK(pt_translate(root, 0xfec00000, &pt_format_npt, &pa, &sz) == -1); /* cut */
	REQUIRE(pt_translate(root, 0xfedff000, &pt_format_npt, &pa, &sz) == 0);
	CHECK_EQ(pa, 0x40000000 + 0xfedff000ull);
	CHECK_EQ(sz, 4096);
	CHECK(pt_translate(root, 0xfee00000, &pt_format_npt, &pa, &sz) == -1);
	pt_free(&pool, root, &pt_format_npt);
	root = pt_new_root(&pool);
	REQUIRE(guest_ram_map(&pool, root, 0x40000000, 32 << 20, &pt_format_ept) == 0);
	REQUIRE(pt_translate(root, 0x1000, &pt_format_ept, &pa, &sz) == 0);
	CHECK_EQ(pa, 0x40001000);
	pt_free(&pool, root, &pt_format_ept);
}

TEST(apic_hole_in_the_multiboot_memory_map)
{
	struct mb_mmap_entry m[MB_MMAP_MAX];
	CHECK_EQ(mb_memory_map(32 << 20, m), 3);
	CHECK_EQ(m[2].addr, 1 << 20);
	CHECK_EQ(m[2].len, (32 << 20) - (1 << 20));
	CHECK_EQ(mb_memory_map(0xfee00000, m), 3); /* ends right below the page */
	CHECK_EQ(m[2].addr + m[2].len, 0xfee00000);

	CHECK_EQ(mb_memory_map(5ull << 30, m), 5);
	CHECK_EQ(m[2].addr + m[2].len, 0xfee00000);
	CHECK_EQ(m[2].type, MB_MMAP_AVAILABLE);
	CHECK_EQ(m[3].addr, 0xfee00000);
	CHECK_EQ(m[3].len, 4096);
	CHECK_EQ(m[3].type, MB_MMAP_RESERVED);
	CHECK_EQ(m[4].addr, 0xfee01000);
	CHECK_EQ(m[4].len, (5ull << 30) - 0xfee01000);
	CHECK_EQ(m[4].type, MB_MMAP_AVAILABLE);
	for (unsigned i = 0; i < 5; i++)
		CHECK_EQ(m[i].size, 20);

	CHECK_EQ(mb_memory_map(0xfee01000, m), 4); /* RAM ends with the page: nothing above */
	CHECK_EQ(m[3].addr, 0xfee00000);
	CHECK_EQ(m[3].type, MB_MMAP_RESERVED);
}
