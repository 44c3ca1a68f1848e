/* Multiboot v1 loader tests: synthetic ELF32 / ELF64 / a.out-kludge kernels, every error, fuzzing. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hv/elf.h"
#include "hv/multiboot.h"
#include "hv/multiboot_load.h"
#include "tests/host/harness.h"

#define GUARD 4096
#define FILL 0xCC     /* guest memory before loading */
#define GUARD_BYTE 0x5A
#define IMG_CAP 0x10000

/* ---- guest memory with guard pages on both sides ---- */

struct env {
	uint8_t *raw;
	struct guest_mem mem;
	struct mb_boot_state st;
	char err[256];
};

static struct env *env_new(uint64_t size)
{
	struct env *e = calloc(1, sizeof(*e));
	e->raw = malloc(size + 2 * GUARD);
	memset(e->raw, GUARD_BYTE, size + 2 * GUARD);
	e->mem.base = e->raw + GUARD;
	e->mem.size = size;
	memset(e->mem.base, FILL, size);
	return e;
}

static bool env_guards_ok(const struct env *e)
{
	for (size_t i = 0; i < GUARD; i++)
		if (e->raw[i] != GUARD_BYTE || e->mem.base[e->mem.size + i] != GUARD_BYTE)
			return false;
	return true;
}

static void env_free(struct env *e)
{
	free(e->raw);
	free(e);
}

static int env_load(struct env *e, const uint8_t *img, size_t size, const struct mb_module_img *mods,
		    unsigned nmods)
{
	e->err[0] = 0;
	return multiboot_load(&e->mem, img, size, "root=/dev/x quiet", mods, nmods, "hv-test", &e->st,
			      e->err, sizeof(e->err));
}

/* ---- image builders ---- */

struct tseg {
	uint32_t type;
	uint64_t offset, vaddr, paddr, filesz, memsz;
};

static uint8_t pat(uint64_t off)
{
	return (uint8_t)(off * 13 + 7);
}

static void put32(uint8_t *b, size_t off, uint32_t v) { memcpy(b + off, &v, 4); }

static void put_mb_header(uint8_t *b, size_t off, uint32_t flags)
{
	put32(b, off, MB_HEADER_MAGIC);
	put32(b, off + 4, flags);
	put32(b, off + 8, 0u - MB_HEADER_MAGIC - flags);
}

/* a.out kludge fields right after the magic fields at off. */
static void put_aout(uint8_t *b, size_t off, uint32_t hdr, uint32_t load, uint32_t load_end,
		     uint32_t bss_end, uint32_t entry)
{
	uint32_t v[5] = { hdr, load, load_end, bss_end, entry };
	memcpy(b + off + 12, v, sizeof(v));
}

/* Lay out an ELF executable into b (zeroed, IMG_CAP bytes); returns the file size. */
static size_t build_elf(uint8_t *b, bool is64, uint64_t entry, const struct tseg *s, unsigned n,
			size_t mb_off, uint32_t mb_flags)
{
	size_t ehsz = is64 ? sizeof(struct elf64_ehdr) : sizeof(struct elf32_ehdr);
	size_t phsz = is64 ? sizeof(struct elf64_phdr) : sizeof(struct elf32_phdr);
	size_t size = ehsz + n * phsz;

	memset(b, 0, IMG_CAP);
	if (is64) {
		struct elf64_ehdr h = { .e_type = ET_EXEC, .e_machine = EM_X86_64, .e_version = 1,
					.e_entry = entry, .e_phoff = ehsz, .e_ehsize = (uint16_t)ehsz,
					.e_phentsize = (uint16_t)phsz, .e_phnum = (uint16_t)n };
		memcpy(h.e_ident, "\x7f" "ELF\x02\x01\x01", 7);
		memcpy(b, &h, sizeof(h));
	} else {
		struct elf32_ehdr h = { .e_type = ET_EXEC, .e_machine = EM_386, .e_version = 1,
					.e_entry = (uint32_t)entry, .e_phoff = (uint32_t)ehsz,
					.e_ehsize = (uint16_t)ehsz, .e_phentsize = (uint16_t)phsz,
					.e_phnum = (uint16_t)n };
		memcpy(h.e_ident, "\x7f" "ELF\x01\x01\x01", 7);
		memcpy(b, &h, sizeof(h));
	}
	for (unsigned i = 0; i < n; i++) {
		if (is64) {
			struct elf64_phdr p = { s[i].type, 5, s[i].offset, s[i].vaddr, s[i].paddr,
						s[i].filesz, s[i].memsz, 4096 };
			memcpy(b + ehsz + i * phsz, &p, sizeof(p));
		} else {
			struct elf32_phdr p = { s[i].type, (uint32_t)s[i].offset, (uint32_t)s[i].vaddr,
						(uint32_t)s[i].paddr, (uint32_t)s[i].filesz,
						(uint32_t)s[i].memsz, 5, 4096 };
			memcpy(b + ehsz + i * phsz, &p, sizeof(p));
		}
		if (s[i].offset <= IMG_CAP && s[i].filesz <= IMG_CAP - s[i].offset) {
			for (uint64_t j = s[i].offset; j < s[i].offset + s[i].filesz; j++)
				b[j] = pat(j);
			size = MAX(size, s[i].offset + s[i].filesz);
		}
	}
	put_mb_header(b, mb_off, mb_flags);
	return MAX(size, mb_off + 12);
}

/* The reference kernel: text at 1 MiB, data+bss linked higher-half at 0xC0102000. */
static const struct tseg k32[] = {
	{ PT_LOAD, 0x200, 0x100000, 0x100000, 0x300, 0x300 },
	{ 4 /* PT_NOTE */, 0x100, 0, 0, 0x10, 0x10 },
	{ PT_LOAD, 0x500, 0xC0102000, 0x102000, 0x100, 0x1800 },
};

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

static void aout_image(size_t hoff, uint32_t load_end, uint32_t bss_end, size_t *size)
{
	memset(img, 0, IMG_CAP);
	for (size_t i = 0; i < 0x3000; i++)
		img[i] = pat(i);
	put_mb_header(img, hoff, MB_HF_AOUT_KLUDGE | MB_HF_MEMINFO);
	put_aout(img, hoff, 0x200000 + (uint32_t)hoff - 0x1000, 0x200000, load_end, bss_end, 0x200080);
	*size = 0x3000;
}

TEST(mb_aout_kludge)
{
	size_t n;
	/* Header at file offset 0x1040 = 0x40 into the text, which starts at file offset 0x1000. */
	aout_image(0x1040, 0x201800, 0x205000, &n);
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
	aout_image(0x1040, 0, 0, &n);
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

/* Load and expect failure with a message containing want; nothing outside mem written. */
static void expect_err_mods(const uint8_t *image, size_t n, uint64_t memsize,
			    const struct mb_module_img *mods, unsigned nmods, const char *want,
			    int line)
{
	struct env *e = env_new(memsize);
	int rc = env_load(e, image, n, mods, nmods);
	if (rc != -1 || !strstr(e->err, want) || !env_guards_ok(e)) {
		char m[512];
		snprintf(m, sizeof(m), "line %d: rc %d, err \"%s\", want \"%s\"", line, rc, e->err, want);
		test_fail(__FILE__, line, m);
	}
	env_free(e);
}
#define EXPECT_ERR(n, want) expect_err_mods(img, n, MIB(32), NULL, 0, want, __LINE__)

TEST(mb_errors_header)
{
	memset(img, 0, IMG_CAP);
	EXPECT_ERR(1024, "kernel: no multiboot header in the first 8192 bytes");
	EXPECT_ERR(0, "kernel: no multiboot header in the first 8192 bytes");
	put_mb_header(img, 8192, 0);
	EXPECT_ERR(9000, "no multiboot header");
	memset(img, 0, IMG_CAP);
	put_mb_header(img, 8184, 0); /* straddles the 8192 boundary */
	EXPECT_ERR(9000, "no multiboot header");
	memset(img, 0, IMG_CAP);
	put_mb_header(img, 0x102, 0); /* not 4-byte aligned */
	EXPECT_ERR(1024, "no multiboot header");
	put_mb_header(img, 0x100, 0);
	put32(img, 0x108, 0x12345678);
	EXPECT_ERR(1024, "kernel: multiboot header checksum is wrong");
	put_mb_header(img, 0x100, BIT(4) | MB_HF_MEMINFO);
	EXPECT_ERR(1024, "kernel: unsupported multiboot flags 0x00000010 (required bits)");
	put_mb_header(img, 0x100, 0);
	EXPECT_ERR(1024, "kernel: not an ELF file");

	/* The last aligned slot that fits (8180) is found; optional flag bits are ignored. */
	size_t n = build_elf(img, false, 0x100010, k32, 3, 8180, BIT(17) | BIT(31));
	struct env *e = env_new(MIB(32));
	CHECK(env_load(e, img, 9000, NULL, 0) == 0 && n <= 9000);
	env_free(e);
	put_mb_header(img, 8180, MB_HF_AOUT_KLUDGE); /* ...but its address fields would not fit */
	EXPECT_ERR(9000, "cut off before its address fields");
}

static size_t elf1(bool is64, uint64_t entry, struct tseg s)
{
	return build_elf(img, is64, entry, &s, 1, 0x100, 0);
}

TEST(mb_errors_elf)
{
	size_t n = elf1(false, 0x100000, (struct tseg){ PT_LOAD, 0x1000, 0x100000, 0x100000, 0x10, 0x4000000 });
	EXPECT_ERR(n, "kernel: segment 0 [0x100000, 0x4100000) lies outside the guest's 32 MiB");
	n = build_elf(img, false, 0x100010, (struct tseg[]){ k32[0], k32[1],
		{ PT_LOAD, 0x1000, 0x400000, 0x400000, 0x10, 0x4000000 } }, 3, 0x1C0, 0);
	EXPECT_ERR(n, "kernel: segment 2 [0x400000, 0x4400000) lies outside the guest's 32 MiB");
	/* paddr + memsz wraps in 32 bits / in 64 bits. */
	n = elf1(false, 0xFFFFF000, (struct tseg){ PT_LOAD, 0x1000, 0xFFFFF000, 0xFFFFF000, 0x10, 0x2000 });
	EXPECT_ERR(n, "segment 0 [0xfffff000, 0x100001000) lies outside");
	n = elf1(false, 0x100000, (struct tseg){ PT_LOAD, 0x1000, 0x100000, 0x100000, 0x10, 0xFFFFFFFF });
	EXPECT_ERR(n, "lies outside the guest");
	n = elf1(true, 0x1000, (struct tseg){ PT_LOAD, 0x1000, 0x1000, 0xFFFFFFFFFFFFF000ull, 0x10, 0x2000 });
	EXPECT_ERR(n, "lies outside the guest");
	/* p_offset + p_filesz past the end / wrapping. */
	n = elf1(false, 0x100000, (struct tseg){ PT_LOAD, 0xFFFFFF00, 0x100000, 0x100000, 0x200, 0x200 });
	EXPECT_ERR(n, "lie outside the");
	n = elf1(true, 0x100000, (struct tseg){ PT_LOAD, 0xFFFFFFFFFFFFFF00ull, 0x100000, 0x100000, 0x200, 0x200 });
	EXPECT_ERR(n, "lie outside the");
	n = elf1(false, 0x100000, (struct tseg){ PT_LOAD, 0x1000, 0x100000, 0x100000, 0x10, 0x10 });
	EXPECT_ERR(n - 1, "lie outside the");
	n = elf1(false, 0x100000, (struct tseg){ PT_LOAD, 0x1000, 0x100000, 0x100000, 0x20, 0x10 });
	EXPECT_ERR(n, "kernel: segment 0 has p_filesz 0x20 > p_memsz 0x10");
	n = elf1(false, 0x200000, (struct tseg){ PT_LOAD, 0x1000, 0x100000, 0x100000, 0x10, 0x10 });
	EXPECT_ERR(n, "kernel: entry point 0x200000 is not inside any loaded segment");
	n = elf1(true, 0x100000000ull, (struct tseg){ PT_LOAD, 0x1000, 0x100000, 0x100000, 0x10, 0x10 });
	EXPECT_ERR(n, "kernel: ELF64 entry 0x100000000 is above 4 GiB");
	n = build_elf(img, false, 0x100000, (struct tseg[]){
		{ PT_LOAD, 0x1000, 0x100000, 0x100000, 0x10, 0x2000 },
		{ PT_LOAD, 0x1000, 0x200000, 0x101FFF, 0x10, 0x10 } }, 2, 0x100, 0);
	EXPECT_ERR(n, "kernel: segment 0 [0x100000, 0x102000) and segment 1 [0x101fff, 0x10200f) overlap");
	n = elf1(false, 0x100000, (struct tseg){ 4, 0x1000, 0x100000, 0x100000, 0x10, 0x10 });
	EXPECT_ERR(n, "no loadable segments");

	/* Truncated headers. */
	n = elf1(false, 0x100000, (struct tseg){ PT_LOAD, 0x1000, 0x100000, 0x100000, 0x10, 0x10 });
	uint16_t many = 200;
	memcpy(img + offsetof(struct elf32_ehdr, e_phnum), &many, 2);
	EXPECT_ERR(n, "kernel: truncated program header table");
	put32(img, offsetof(struct elf32_ehdr, e_phoff), 0xFFFFFFF0);
	EXPECT_ERR(n, "kernel: truncated program header table");
	memset(img, 0, IMG_CAP);
	memcpy(img, "\x7f" "ELF\x01\x01\x01", 7);
	put_mb_header(img, 16, 0);
	EXPECT_ERR(28, "kernel: truncated ELF32 header");
	img[EI_CLASS] = ELFCLASS64;
	EXPECT_ERR(60, "kernel: truncated ELF64 header");
	img[EI_CLASS] = 3;
	EXPECT_ERR(60, "unknown ELF class 3");

	/* Wrong kind of ELF file. */
	n = elf1(false, 0x100000, (struct tseg){ PT_LOAD, 0x1000, 0x100000, 0x100000, 0x10, 0x10 });
	img[EI_DATA] = 2;
	EXPECT_ERR(n, "not little-endian");
	img[EI_DATA] = 1;
	img[offsetof(struct elf32_ehdr, e_type)] = 3;
	EXPECT_ERR(n, "kernel: ELF type 3 is not ET_EXEC");
	img[offsetof(struct elf32_ehdr, e_type)] = ET_EXEC;
	img[offsetof(struct elf32_ehdr, e_machine)] = EM_X86_64;
	EXPECT_ERR(n, "ELF32 machine 62 is not EM_386");
	img[offsetof(struct elf32_ehdr, e_machine)] = EM_386;
	img[offsetof(struct elf32_ehdr, e_phentsize)] = 16;
	EXPECT_ERR(n, "program header size 16");
	n = elf1(true, 0x100000, (struct tseg){ PT_LOAD, 0x1000, 0x100000, 0x100000, 0x10, 0x10 });
	img[offsetof(struct elf64_ehdr, e_machine)] = EM_386;
	EXPECT_ERR(n, "ELF64 machine 3 is not EM_X86_64");
	img[offsetof(struct elf64_ehdr, e_machine)] = EM_X86_64;
	img[offsetof(struct elf64_ehdr, e_phnum)] = 0;
	EXPECT_ERR(n, "no program headers");

	struct tseg many_segs[33];
	for (unsigned i = 0; i < 33; i++)
		many_segs[i] = (struct tseg){ PT_LOAD, 0x2000, 0x100000 + i * 0x1000, 0x100000 + i * 0x1000, 0x10, 0x10 };
	n = build_elf(img, false, 0x100000, many_segs, 33, 0x1000, 0);
	EXPECT_ERR(n, "more than 32 loadable segments");
}

TEST(mb_errors_aout)
{
	size_t n;
	aout_image(0x1040, 0x201800, 0x205000, &n);
	put_aout(img, 0x1040, 0x200000, 0x200040, 0, 0, 0x200080);
	EXPECT_ERR(n, "load_addr 0x200040 is above header_addr 0x200000");
	put_aout(img, 0x1040, 0x202000, 0x200000, 0, 0, 0x200080);
	EXPECT_ERR(n, "header_addr - load_addr (0x2000) exceeds the header's file offset 0x1040");
	put_aout(img, 0x1040, 0x200040, 0x200000, 0x1FFFFF, 0, 0x200080);
	EXPECT_ERR(n, "load_end_addr 0x1fffff is below load_addr 0x200000");
	put_aout(img, 0x1040, 0x200040, 0x200000, 0x204000, 0, 0x200080);
	EXPECT_ERR(n, "wants 0x4000 bytes from file offset 0x1000 of a 12288-byte image");
	put_aout(img, 0x1040, 0x200040, 0x200000, 0x201000, 0x200800, 0x200080);
	EXPECT_ERR(n, "bss_end_addr 0x200800 is below the loaded image's end 0x201000");
	put_aout(img, 0x1040, 0x200040, 0x200000, 0, 0x2001000, 0x200080);
	EXPECT_ERR(n, "a.out kludge image [0x200000, 0x2001000) lies outside the guest's 32 MiB");
	put_aout(img, 0x1040, 0xFFFFF040, 0xFFFFF000, 0, 0, 0xFFFFF000);
	EXPECT_ERR(n, "lies outside the guest");
	put_aout(img, 0x1040, 0x200040, 0x200000, 0x201000, 0, 0x201000);
	EXPECT_ERR(n, "entry_addr 0x201000 is outside the image [0x200000, 0x201000)");
	put_aout(img, 0x1040, 0x200040, 0x200000, 0x200000, 0, 0x200000);
	EXPECT_ERR(n, "a.out kludge image is empty");
}

TEST(mb_errors_placement)
{
	static uint8_t big[MIB(8)];
	size_t n = build_elf(img, false, 0x100010, k32, 3, 0x1C0, 0);
	struct mb_module_img mods[2] = { { "a", 1, NULL }, { big, sizeof(big), NULL } };
	expect_err_mods(img, n, MIB(8), mods, 2, "module 1 (8 MiB) does not fit in guest memory", __LINE__);
	mods[1].size = MIB(3);
	expect_err_mods(img, n, MIB(4), &mods[1], 1, "module 0 (3 MiB) does not fit", __LINE__);
	mods[1].size = MIB(4) - 0x105000; /* ends exactly at the end of memory */
	struct env *e = env_new(MIB(4));
	CHECK(env_load(e, img, n, mods, 2) == 0);
	struct mb_module m[2];
	memcpy(m, e->mem.base + 0x1000 + 192, sizeof(m)); /* mods follow info (120) and mmap (72) */
	CHECK_EQ(m[1].mod_start, 0x105000);
	CHECK_EQ(m[1].mod_end, MIB(4));
	CHECK(env_guards_ok(e));
	env_free(e);
	mods[1].size++;
	expect_err_mods(img, n, MIB(4), mods, 2, "module 1 (3125249 bytes) does not fit", __LINE__);

	/* Kernel covering all memory from 0: nowhere for the boot information. */
	n = elf1(false, 0x10, (struct tseg){ PT_LOAD, 0x1000, 0, 0, 0x10, MIB(4) });
	expect_err_mods(img, n, MIB(4), NULL, 0, "boot information", __LINE__);
	n = elf1(false, 0x10, (struct tseg){ PT_LOAD, 0x1000, 0, 0, 0x10, MIB(4) - 0x1000 });
	e = env_new(MIB(4));
	CHECK(env_load(e, img, n, NULL, 0) == 0);
	CHECK_EQ(e->st.mbi_gpa, MIB(4) - 0x1000);
	CHECK(env_guards_ok(e));
	env_free(e);
}

TEST(mb_real_kernel)
{
	FILE *f = fopen("build/guest/selftest.elf", "rb");
	if (!f)
		return; /* built later by the guest side; nothing to test yet */
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

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Mutate valid images at random; each try must load or fail cleanly, never write outside mem. */
TEST(mb_fuzz)
{
	static uint8_t base_img[IMG_CAP], work[IMG_CAP];
	static const uint32_t vals[] = { 0, 1, 0xFFFFFFFF, 0x80000000, 0x7FFFFFFF, 0x100000,
					 0x3FF000, 0x400000, 0xFFFFF000, 0x1000, 0x2BADB002 };
	const struct mb_module_img mod = { "module!", 7, "m" };
	struct env *e = env_new(MIB(4));
	unsigned ok = 0, bad = 0;

	for (int kind = 0; kind < 3; kind++) {
		size_t n;
		if (kind == 2)
			aout_image(0x1040, 0x201800, 0x205000, &n);
		else
			n = build_elf(img, kind, 0x100010, k32, 3, 0x1C0, MB_HF_MEMINFO);
		memcpy(base_img, img, IMG_CAP);
		for (int iter = 0; iter < 4000; iter++) {
			memcpy(work, base_img, n);
			int edits = 1 + (int)(rnd() % 4);
			for (int k = 0; k < edits; k++) {
				/* Mostly the headers, where the interesting fields are. */
				size_t span = rnd() % 4 ? (kind == 2 ? 0x1070 : 0x200) : n;
				size_t off = rnd() % span;
				if (kind == 2 && span != n)
					off = 0x1040 + rnd() % 0x30;
				if (rnd() % 2) {
					uint32_t v = rnd() % 3 ? vals[rnd() % ARRAY_SIZE(vals)] : (uint32_t)rnd();
					off &= ~(size_t)3;
					if (off + 4 <= n)
						memcpy(work + off, &v, 4);
				} else {
					work[off] = (uint8_t)rnd();
				}
			}
			/* Keep the checksum right half the time so the loaders proper get exercised. */
			size_t hoff = kind == 2 ? 0x1040 : 0x1C0;
			if (rnd() % 2) {
				uint32_t w[2];
				memcpy(w, work + hoff, 8);
				put32(work, hoff + 8, 0u - w[0] - w[1]);
			}
			size_t len = rnd() % 8 ? n : rnd() % (n + 1);
			int rc = env_load(e, work, len, &mod, 1);
			if (rc == 0) {
				ok++;
				CHECK(e->st.entry >= e->st.kernel_start && e->st.entry < e->st.kernel_end);
				CHECK(e->st.kernel_end <= MIB(4) && e->st.mbi_gpa + 116 <= MIB(4));
			} else {
				bad++;
				CHECK(e->err[0] != 0);
			}
			if (!env_guards_ok(e)) {
				test_fail(__FILE__, __LINE__, "guard region written");
				env_free(e);
				return;
			}
		}
	}
	CHECK(ok > 100 && bad > 100);
	env_free(e);
}
