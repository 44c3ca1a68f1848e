/* Multiboot v1 loader: synthetic ELF32 / ELF64 / a.out-kludge kernels load as they should. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hv/elf.h"
#include "hv/multiboot.h"
#include "tests/host/harness.h"
#include "tests/host/mb_image_builder.h"
#include "tests/host/mb_test_env.h"

static uint8_t img[IMG_CAP];

static bool all_eq(const uint8_t *p, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

static bool seg_loaded(const struct env *e, const uint8_t *image, const struct tseg *s)
{
	return !memcmp(e->mem.base + s->paddr, image + s->offset, s->filesz) &&
	       all_eq(e->mem.base + s->paddr + s->filesz, s->memsz - s->filesz, 0);
}

TEST(mb_elf32_segments_and_bss)
{
	size_t n = build_elf(img, false, 0x100010, k32, 3, 0x1C0, MB_HF_PAGE_ALIGN | MB_HF_MEMINFO);
	struct env *e = env_new(MIB(32));
	REQUIRE(env_load(e, img, n, NULL, 0) == 0);
	CHECK(seg_loaded(e, img, &k32[0]));
	CHECK(seg_loaded(e, img, &k32[2]));
	CHECK(e->mem.base[0xFFFFF] == FILL);                       /* just below */
	CHECK(all_eq(e->mem.base + 0x100300, 0x102000 - 0x100300, FILL)); /* the gap */
	CHECK(all_eq(e->mem.base + 0x103800, 0x1000, FILL));       /* just above */
	CHECK(all_eq(e->mem.base, 0x1000, FILL));                  /* page 0 left alone */
	CHECK_EQ(e->st.entry, 0x100010);
	CHECK_EQ(e->st.eax, 0x2BADB002);
	CHECK_EQ(e->st.kernel_start, 0x100000);
	CHECK_EQ(e->st.kernel_end, 0x103800);
	CHECK(env_guards_ok(e));
	env_free(e);
}

TEST(mb_entry_translation)
{
	/* ELF32: e_entry in the higher-half data segment's virtual range. */
	size_t n = build_elf(img, false, 0xC0102010, k32, 3, 0x1C0, 0);
	struct env *e = env_new(MIB(32));
	REQUIRE(env_load(e, img, n, NULL, 0) == 0);
	CHECK_EQ(e->st.entry, 0x102010);
	env_free(e);

	/* ELF64 higher-half kernel: everything linked at -2 GiB, loaded at 1 MiB. */
	const struct tseg s[] = {
		{ PT_LOAD, 0x1000, 0xFFFFFFFF80100000ull, 0x100000, 0x800, 0x3000 },
	};
	n = build_elf(img, true, 0xFFFFFFFF80100020ull, s, 1, 0x100, 0);
	e = env_new(MIB(32));
	REQUIRE(env_load(e, img, n, NULL, 0) == 0);
	CHECK_EQ(e->st.entry, 0x100020);
	CHECK(seg_loaded(e, img, &s[0]));
	CHECK_EQ(e->st.kernel_end, 0x103000);
	CHECK(env_guards_ok(e));
	env_free(e);
}

TEST(mb_elf64_identity)
{
	const struct tseg s[] = {
		{ PT_LOAD, 0x1000, 0x200000, 0x200000, 0x1000, 0x1000 },
		{ PT_LOAD, 0x2000, 0x300000, 0x300000, 0x10, 0x2000 },
		{ PT_LOAD, 0x2010, 0x400000, 0x400000, 0, 0 }, /* empty: ignored */
	};
	size_t n = build_elf(img, true, 0x200000, s, 3, 0x400, MB_HF_VIDEO);
	struct env *e = env_new(MIB(8));
	REQUIRE(env_load(e, img, n, NULL, 0) == 0);
	CHECK(seg_loaded(e, img, &s[0]) && seg_loaded(e, img, &s[1]));
	CHECK_EQ(e->st.kernel_start, 0x200000);
	CHECK_EQ(e->st.kernel_end, 0x302000);
	struct mb_info mbi;
	memcpy(&mbi, e->mem.base + e->st.mbi_gpa, sizeof(mbi));
	CHECK((mbi.flags & (MB_INFO_VBE_INFO | MB_INFO_FRAMEBUFFER_INFO)) == 0); /* bit 2 accepted */
	CHECK_EQ(mbi.mem_upper, (MIB(8) - MIB(1)) / 1024);
	env_free(e);
}

TEST(mb_info_block)
{
	static uint8_t m0[5000], m1[3];
	for (size_t i = 0; i < sizeof(m0); i++)
		m0[i] = (uint8_t)(i * 31 + 1);
	memcpy(m1, "abc", 3);
	const struct mb_module_img mods[] = { { m0, sizeof(m0), "initrd size=5000" },
					      { m1, sizeof(m1), NULL } };
	size_t n = build_elf(img, false, 0x100010, k32, 3, 0x1C0, MB_HF_PAGE_ALIGN | MB_HF_MEMINFO);
	struct env *e = env_new(MIB(32));
	REQUIRE(env_load(e, img, n, mods, 2) == 0);
	const uint8_t *g = e->mem.base;
	CHECK_EQ(e->st.mbi_gpa, 0x1000); /* low: the kernel is at 1 MiB */
	struct mb_info mbi;
	memcpy(&mbi, g + e->st.mbi_gpa, sizeof(mbi));
	CHECK_EQ(mbi.flags, MB_INFO_MEMORY | MB_INFO_CMDLINE | MB_INFO_MODS | MB_INFO_MEM_MAP |
				    MB_INFO_BOOT_LOADER_NAME);
	CHECK_EQ(mbi.mem_lower, 640);
	CHECK_EQ(mbi.mem_upper, 31744);
	CHECK_EQ(mbi.boot_device, 0);
	CHECK(!strcmp((const char *)g + mbi.cmdline, "root=/dev/x quiet"));
	CHECK(!strcmp((const char *)g + mbi.boot_loader_name, "hv-test"));

	CHECK_EQ(mbi.mmap_length, 72);
	struct mb_mmap_entry map[3];
	memcpy(map, g + mbi.mmap_addr, sizeof(map));
	const uint64_t want[3][3] = { { 0, 0xA0000, 1 }, { 0xA0000, 0x60000, 2 },
				      { 0x100000, MIB(31), 1 } };
	for (int i = 0; i < 3; i++) {
		CHECK_EQ(map[i].size, 20);
		CHECK_EQ(map[i].addr, want[i][0]);
		CHECK_EQ(map[i].len, want[i][1]);
		CHECK_EQ(map[i].type, want[i][2]);
	}

	CHECK_EQ(mbi.mods_count, 2);
	struct mb_module m[2];
	memcpy(m, g + mbi.mods_addr, sizeof(m));
	CHECK_EQ(m[0].mod_start, 0x104000); /* first page after kernel_end 0x103800 */
	CHECK_EQ(m[0].mod_end, 0x104000 + 5000);
	CHECK_EQ(m[1].mod_start, 0x106000);
	CHECK_EQ(m[1].mod_end, 0x106003);
	CHECK(m[0].reserved == 0 && m[1].reserved == 0);
	CHECK(!memcmp(g + m[0].mod_start, m0, sizeof(m0)));
	CHECK(!memcmp(g + m[1].mod_start, "abc", 3));
	CHECK(!strcmp((const char *)g + m[0].string, "initrd size=5000"));
	CHECK(!strcmp((const char *)g + m[1].string, ""));
	CHECK(all_eq(g + 0x104000 + 5000, 0x106000 - 0x104000 - 5000, FILL));
	CHECK(all_eq(g, 0x1000, FILL));
	CHECK(env_guards_ok(e));
	env_free(e);
}

TEST(mb_info_after_kernel)
{
	/* A kernel occupying low memory pushes the info past the kernel and modules. */
	const struct tseg s[] = { { PT_LOAD, 0x1000, 0, 0, 0x800, 0x2000 } };
	const struct mb_module_img mod = { "xyz", 3, "m" };
	size_t n = build_elf(img, false, 0x10, s, 1, 0x100, 0);
	struct env *e = env_new(MIB(4));
	REQUIRE(env_load(e, img, n, &mod, 1) == 0);
	CHECK(seg_loaded(e, img, &s[0]));
	CHECK_EQ(e->st.mbi_gpa, 0x3000); /* kernel [0, 0x2000), module at 0x2000 */
	struct mb_info mbi;
	memcpy(&mbi, e->mem.base + 0x3000, sizeof(mbi));
	CHECK_EQ(mbi.mods_count, 1);
	CHECK(!memcmp(e->mem.base + 0x2000, "xyz", 3));
	CHECK(!strcmp((const char *)e->mem.base + mbi.cmdline, "root=/dev/x quiet"));
	env_free(e);

	/* A kernel wholly in page 0 puts its module at 0x1000: the low area is taken. */
	const struct tseg t[] = { { PT_LOAD, 0x1000, 0x500, 0x500, 0x100, 0x100 },
				  { PT_LOAD, 0x1100, 0x100000, 0x100000, 0x100, 0x100 },
				  { PT_LOAD, 0x1200, 0x1040, 0x1040, 0x100, 0x100 } };
	n = build_elf(img, false, 0x500, t, 1, 0x100, 0);
	e = env_new(MIB(4));
	REQUIRE(env_load(e, img, n, &mod, 1) == 0);
	CHECK_EQ(e->st.mbi_gpa, 0x2000);
	CHECK(!memcmp(e->mem.base + 0x1000, "xyz", 3));
	env_free(e);

	/* One small segment at 0x1040 is enough to move the info after the kernel. */
	n = build_elf(img, false, 0x500, t, 3, 0x100, 0);
	e = env_new(MIB(4));
	REQUIRE(env_load(e, img, n, NULL, 0) == 0);
	CHECK_EQ(e->st.mbi_gpa, 0x101000);
	CHECK(seg_loaded(e, img, &t[2]));
	env_free(e);

	/* Without modules, a kernel wholly in page 0 leaves 0x1000 free. */
	n = build_elf(img, false, 0x500, t, 1, 0x100, 0);
	e = env_new(MIB(4));
	REQUIRE(env_load(e, img, n, NULL, 0) == 0);
	CHECK_EQ(e->st.mbi_gpa, 0x1000);
	CHECK(seg_loaded(e, img, &t[0]));
	env_free(e);
}

TEST(mb_aout_kludge)
{
	size_t n;
	/* Header at file offset 0x1040 = 0x40 into the text, which starts at file offset 0x1000. */
	aout_image(img, 0x1040, 0x201800, 0x205000, &n);
	struct env *e = env_new(MIB(4));
	REQUIRE(env_load(e, img, n, NULL, 0) == 0);
	CHECK(!memcmp(e->mem.base + 0x200000, img + 0x1000, 0x1800));
	CHECK(all_eq(e->mem.base + 0x201800, 0x3800, 0));
	CHECK(e->mem.base[0x205000] == FILL && e->mem.base[0x1FFFFF] == FILL);
	CHECK_EQ(e->st.entry, 0x200080);
	CHECK_EQ(e->st.kernel_start, 0x200000);
	CHECK_EQ(e->st.kernel_end, 0x205000);
	CHECK_EQ(e->st.mbi_gpa, 0x1000);
	env_free(e);

	/* load_end_addr == 0: to the end of the file; bss_end_addr == 0: no bss. */
	aout_image(img, 0x1040, 0, 0, &n);
	e = env_new(MIB(4));
	REQUIRE(env_load(e, img, n, NULL, 0) == 0);
	CHECK(!memcmp(e->mem.base + 0x200000, img + 0x1000, 0x2000));
	CHECK(e->mem.base[0x202000] == FILL);
	CHECK_EQ(e->st.kernel_end, 0x202000);
	env_free(e);

	/* Flag 16 wins over the ELF headers of an ELF file. */
	size_t m = build_elf(img, false, 0x100010, k32, 3, 0x1C0, MB_HF_AOUT_KLUDGE);
	put_aout(img, 0x1C0, 0x3001C0, 0x300000, 0, 0x310000, 0x300004);
	e = env_new(MIB(4));
	REQUIRE(env_load(e, img, m, NULL, 0) == 0);
	CHECK_EQ(e->st.entry, 0x300004);
	CHECK(!memcmp(e->mem.base + 0x300000, img, m));
	CHECK(e->mem.base[0x100000] == FILL);
	env_free(e);
}

TEST(mb_real_kernel)
{
	/* make unit builds it first and names its build folder (default: build). */
	const char *dir = getenv("HV_TEST_BUILD");
	char path[512];
	snprintf(path, sizeof(path), "%s/guest/selftest.elf", dir && *dir ? dir : "build");
	FILE *f = fopen(path, "rb");
	if (!f)
		printf("    cannot open %s (make unit builds it; run from the repository root)\n", path);
	REQUIRE(f != NULL);
	static uint8_t buf[MIB(16)];
	size_t n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	struct env *e = env_new(MIB(64));
	int rc = env_load(e, buf, n, NULL, 0);
	if (rc)
		printf("    selftest.elf: %s\n", e->err);
	CHECK(rc == 0);
	CHECK(e->st.entry >= e->st.kernel_start && e->st.entry < e->st.kernel_end);
	CHECK(env_guards_ok(e));
	env_free(e);
}
