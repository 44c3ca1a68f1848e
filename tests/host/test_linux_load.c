/* Linux loader, bzImage: placement, zero page, command line, initrd, the 64-bit entry
 * state, and every refusal with its message (hv/linux_load.h). Field offsets are written
 * here from boot.rst / zero-page.rst, not taken from the code under test. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tests/host/harness.h"
#include "tests/host/linux_test_util.h"

static uint8_t img[BZ_CAP];

static uint32_t zp32(const struct env *e, size_t off)
{
	uint32_t v;
	memcpy(&v, e->mem.base + 0x8000 + off, 4);
	return v;
}

TEST(linux_bz_places_kernel_and_zero_page)
{
	size_t n = bz_build(img);
	static uint8_t rd[0x3000];
	for (size_t i = 0; i < sizeof(rd); i++)
		rd[i] = (uint8_t)(i ^ 0x3c);
	struct mb_module_img initrd = { rd, sizeof(rd), "ignored" };
	struct env *e = env_new(MIB(64));
	REQUIRE(linux_env_load(e, img, n, "console=ttyS0 nokaslr", &initrd, 1, 2500000) == 0);
	CHECK(env_guards_ok(e));
	/* The protected-mode code at pref_address, exactly syssize * 16 bytes of it. */
	CHECK(memcmp(e->mem.base + 0x1000000, img + BZ_PM_OFF, BZ_PAYLOAD) == 0);
	CHECK_EQ(e->mem.base[0x1000000 + BZ_PAYLOAD], FILL); /* the trailing signature is not */
	/* Setup header copied from 0x1F1 to 0x202 + byte 0x201 = 0x26C, nothing after it. */
	const uint8_t *zp = e->mem.base + 0x8000;
	CHECK_EQ(zp[0x1F1], BZ_SETUP_SECTS);
	CHECK_EQ(zp32(e, 0x202), 0x53726448);
	CHECK_EQ(zp32(e, 0x260), 0x400000);  /* init_size */
	CHECK_EQ(zp32(e, 0x268), 0x5a5a);    /* kernel_info_offset: the last header field */
	CHECK_EQ(zp[0x26C], 0);              /* past the header */
	CHECK_EQ(zp[0x20E] | zp[0x20F] << 8, 0x1234);
	/* The fields a boot loader writes. */
	CHECK_EQ(zp[0x210], 0xFF);           /* type_of_loader */
	CHECK_EQ(zp32(e, 0x228), 0x9000);    /* cmd_line_ptr */
	CHECK_EQ(zp32(e, 0x214), 0x1000000); /* code32_start: where it went */
	uint64_t rsdp;
	memcpy(&rsdp, zp + 0x070, 8);
	CHECK_EQ(rsdp, 0xE0000);
	CHECK_EQ(zp[0x1EF], 0);              /* sentinel */
	/* The initrd at the top of RAM, page aligned. */
	uint32_t ri = zp32(e, 0x218);
	CHECK_EQ(ri, MIB(64) - 0x3000);
	CHECK_EQ(zp32(e, 0x21C), sizeof(rd));
	CHECK(memcmp(e->mem.base + ri, rd, sizeof(rd)) == 0);
	CHECK(!strcmp((const char *)e->mem.base + 0x9000, "console=ttyS0 nokaslr tsc_early_khz=2500000"));
	/* The entry: long mode at load + 0x200, RSI = zero page, the loader's GDT and CR3. */
	CHECK(e->st.long_mode);
	CHECK_EQ(e->st.entry, 0x1000200);
	CHECK_EQ(e->st.rsi, 0x8000);
	CHECK_EQ(e->st.cr3, 0x2000);
	CHECK_EQ(e->st.gdt_base, 0x1000);
	CHECK_EQ(e->st.gdt_limit, 31);
	CHECK_EQ(e->st.kernel_start, 0x1000000);
	CHECK_EQ(e->st.kernel_end, 0x1400000);
	env_free(e);
}

TEST(linux_bz_gdt_and_identity_map)
{
	size_t n = bz_build(img);
	struct env *e = env_new(MIB(64));
	REQUIRE(linux_env_load(e, img, n, "", NULL, 0, 0) == 0);
	uint64_t gdt[4];
	memcpy(gdt, e->mem.base + 0x1000, sizeof(gdt));
	CHECK_EQ(gdt[0], 0);
	CHECK_EQ(gdt[1], 0);
	/* 0x10: present, S, code, L = 1, D = 0 (SDM vol. 3A 3.4.5); 0x18: present, S, writable data. */
	CHECK_EQ((gdt[2] >> 40) & 0xff, 0x9b);
	CHECK_EQ((gdt[2] >> 53) & 3, 1);
	CHECK_EQ((gdt[3] >> 40) & 0xff, 0x93);
	/* Everything the loader placed is identity mapped: zero page, cmdline, GDT, kernel
	 * window, the last byte of RAM; nothing past RAM. */
	uint64_t probes[] = { 0, 0x1000, 0x8000, 0x9000, 0x1000200, 0x13fffff, MIB(64) - 1 };
	for (size_t i = 0; i < ARRAY_SIZE(probes); i++)
		CHECK_EQ(linux_walk(&e->mem, e->st.cr3, probes[i]), probes[i]);
	CHECK_EQ(linux_walk(&e->mem, e->st.cr3, MIB(64)), ~0ull);
	CHECK_EQ(linux_walk(&e->mem, e->st.cr3, GIB(1)), ~0ull);
	CHECK(!strcmp((const char *)e->mem.base + 0x9000, "")); /* no TSC given: nothing added */
	CHECK_EQ(zp32(e, 0x218), 0);
	CHECK_EQ(zp32(e, 0x21C), 0);
	env_free(e);
}

TEST(linux_bz_cmdline_tsc_early_khz)
{
	size_t n = bz_build(img);
	struct env *e = env_new(MIB(32));
	REQUIRE(linux_env_load(e, img, n, "quiet tsc_early_khz=1000000", NULL, 0, 2500000) == 0);
	CHECK(!strcmp((const char *)e->mem.base + 0x9000, "quiet tsc_early_khz=1000000"));
	REQUIRE(linux_env_load(e, img, n, "x_tsc_early_khz=5", NULL, 0, 7) == 0);
	CHECK(!strcmp((const char *)e->mem.base + 0x9000, "x_tsc_early_khz=5 tsc_early_khz=7"));
	REQUIRE(linux_env_load(e, img, n, NULL, NULL, 0, 7) == 0);
	CHECK(!strcmp((const char *)e->mem.base + 0x9000, "tsc_early_khz=7"));
	/* cmdline_size bounds the whole, the added key included. */
	bz_put32(img, 0x238, 17);
	REQUIRE(linux_env_load(e, img, n, "a", NULL, 0, 7) == 0);
	CHECK(!strcmp((const char *)e->mem.base + 0x9000, "a tsc_early_khz=7"));
	CHECK(linux_env_load(e, img, n, "ab", NULL, 0, 7) == -1);
	CHECK(!strcmp(e->err, "cmdline: 18 bytes (with tsc_early_khz=) exceed the kernel's cmdline_size 17"));
	CHECK(env_guards_ok(e));
	env_free(e);
}

/* The initrd goes below the kernel's window when the window is at the top of RAM. */
TEST(linux_bz_initrd_below_window)
{
	size_t n = bz_build(img);
	bz_put32(img, 0x260, MIB(16)); /* window [16 MiB, 32 MiB) = all RAM above it */
	static uint8_t rd[0x1800];
	memset(rd, 0x42, sizeof(rd));
	struct mb_module_img initrd = { rd, sizeof(rd), NULL };
	struct env *e = env_new(MIB(32));
	REQUIRE(linux_env_load(e, img, n, "", &initrd, 1, 0) == 0);
	CHECK_EQ(zp32(e, 0x218), MIB(16) - 0x2000);
	CHECK_EQ(e->mem.base[MIB(16) - 0x2000], 0x42);
	/* initrd_addr_max below the window: still under it. */
	bz_put32(img, 0x260, MIB(4));
	bz_put32(img, 0x22C, MIB(8) - 1);
	REQUIRE(linux_env_load(e, img, n, "", &initrd, 1, 0) == 0);
	CHECK_EQ(zp32(e, 0x218), MIB(8) - 0x2000);
	CHECK(env_guards_ok(e));
	env_free(e);
}

/* Load img[0..n) into fresh memory: refused, err contains want, nothing outside written. */
static void expect_refused(const uint8_t *image, size_t n, uint64_t memsize,
			   const struct mb_module_img *mods, unsigned nmods, const char *want, int line)
{
	test_checks++;
	struct env *e = env_new(memsize);
	int rc = linux_env_load(e, image, n, "console=ttyS0", mods, nmods, 1000);
	if (rc != -1 || !strstr(e->err, want) || !env_guards_ok(e)) {
		char m[512];
		snprintf(m, sizeof(m), "rc %d, err \"%s\", want \"%s\"", rc, e->err, want);
		test_fail(__FILE__, line, m);
	}
	env_free(e);
}
#define REFUSED(n, want) expect_refused(img, n, MIB(64), NULL, 0, want, __LINE__)

TEST(linux_bz_refusals)
{
	size_t n = bz_build(img);
	REFUSED(0x207, "kernel: truncated bzImage (519 bytes): the setup header needs 0x208");
	img[0x202] = 'h';
	REFUSED(n, "kernel: neither a bzImage nor an ELF64 vmlinux"); /* no HdrS: not a bzImage */
	n = bz_build(img);
	bz_put16(img, 0x206, 0x020B);
	REFUSED(n, "kernel: boot protocol 2.11 (version at 0x206) is older than 2.12");
	n = bz_build(img);
	img[0x201] = 0x5C;
	REFUSED(n, "kernel: setup header ends at 0x25e (byte 0x201), before init_size at 0x260");
	n = bz_build(img);
	REFUSED(0x260, "kernel: truncated bzImage (608 bytes): the setup header ends at 0x26c");
	img[0x211] = 0x80;
	REFUSED(n, "kernel: loadflags 0x80: LOADED_HIGH (bit 0) clear, a zImage is not supported");
	n = bz_build(img);
	bz_put16(img, 0x236, 0x7e);
	REFUSED(n, "kernel: xloadflags 0x007e: XLF_KERNEL_64 (bit 0) clear, no 64-bit entry");
	n = bz_build(img);
	img[0x1F1] = 200;
	REFUSED(n, "kernel: setup_sects 200 puts the protected-mode code at 0x19200, past the 35584-byte image");
	n = bz_build(img);
	img[0x1F1] = 0; /* 0 means 4: the same image loads */
	struct env *e = env_new(MIB(64));
	CHECK(linux_env_load(e, img, n, "", NULL, 0, 0) == 0);
	env_free(e);
	bz_put32(img, 0x1F4, 0);
	REFUSED(n, "kernel: syssize 0x0 (0 bytes) does not fit the 33024 bytes after the setup code");
	bz_put32(img, 0x1F4, (BZ_PAYLOAD + 0x100 + 16) / 16);
	REFUSED(n, "kernel: syssize 0x811 (33040 bytes) does not fit the 33024 bytes after the setup code");
	bz_put32(img, 0x1F4, 0x20);
	REFUSED(n, "kernel: protected-mode code of 512 bytes ends before the 64-bit entry at +0x200");
	n = bz_build(img);
	bz_put32(img, 0x230, 0x300000);
	REFUSED(n, "kernel: kernel_alignment 0x300000 is not a power of two");
	bz_put32(img, 0x230, 0);
	REFUSED(n, "kernel: kernel_alignment 0x0 is not a power of two");
	n = bz_build(img);
	bz_put32(img, 0x260, BZ_PAYLOAD - 16);
	REFUSED(n, "kernel: init_size 0x7ff0 is smaller than the 0x8000-byte protected-mode code");
	n = bz_build(img);
	bz_put64(img, 0x258, 0x80000);
	REFUSED(n, "kernel: pref_address 0x80000 is below 1 MiB");
	bz_put64(img, 0x258, 0x1100000);
	REFUSED(n, "kernel: pref_address 0x1100000 is not a multiple of kernel_alignment 0x200000");
	img[0x234] = 0; /* not relocatable: it goes where it says */
	e = env_new(MIB(64));
	CHECK(linux_env_load(e, img, n, "", NULL, 0, 0) == 0 && e->st.entry == 0x1100200);
	env_free(e);
	n = bz_build(img);
	bz_put32(img, 0x260, MIB(48) + 1);
	REFUSED(n, "kernel: pref_address 0x1000000 + init_size 0x3000001 does not fit in the guest's 64 MiB");
	bz_put64(img, 0x258, 0xfffffffffff00000ull);
	REFUSED(n, "kernel: pref_address 0xfffffffffff00000 is not a multiple"); /* wraps: caught */
	img[0x234] = 0;
	REFUSED(n, "kernel: pref_address 0xfffffffffff00000 + init_size 0x3000001 does not fit");
}

TEST(linux_bz_module_refusals)
{
	size_t n = bz_build(img);
	static uint8_t rd[MIB(1)];
	struct mb_module_img two[2] = { { rd, 16, NULL }, { rd, 16, NULL } };
	expect_refused(img, n, MIB(64), two, 2, "linux: 2 modules given; a Linux kernel takes one (its initrd)", __LINE__);
	/* 64 MiB guest, window [16, 20) MiB: 44 MiB above, 15 below. */
	struct mb_module_img big = { rd, MIB(45), NULL };
	expect_refused(img, n, MIB(64), &big, 1,
		       "module 0 (initrd, 45 MiB) does not fit below 0x4000000 outside the kernel's window [0x1000000, 0x1400000)",
		       __LINE__);
	struct mb_module_img nodata = { NULL, 16, NULL };
	expect_refused(img, n, MIB(64), &nodata, 1, "module 0 (the initrd) has no data", __LINE__);
	/* 44 MiB exactly fits above the window. */
	struct env *e = env_new(MIB(64));
	big.size = MIB(44);
	big.data = calloc(1, MIB(44));
	CHECK(linux_env_load(e, img, n, "", &big, 1, 0) == 0 && zp32(e, 0x218) == MIB(20));
	free((void *)big.data);
	CHECK(env_guards_ok(e));
	env_free(e);
}

/* Whatever the header holds, nothing outside guest memory is written: random header and
 * size mutations, each load checked against the guard pages (and ASan). */
TEST(linux_bz_mutations_stay_inside)
{
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	struct env *e = env_new(MIB(32));
	unsigned loaded = 0;
	for (int iter = 0; iter < 3000; iter++) {
		size_t n = bz_build(img);
		for (int k = 0; k < 4; k++) {
			seed = seed * 6364136223846793005ull + 1442695040888963407ull;
			size_t off = 0x1F1 + (size_t)((seed >> 33) % (0x270 - 0x1F1));
			img[off] = (uint8_t)(seed >> 20);
		}
		if (iter % 7 == 0)
			n = (size_t)((seed >> 40) % BZ_SIZE);
		static uint8_t rd[0x4000];
		struct mb_module_img initrd = { rd, (size_t)(seed >> 50), NULL }; /* < 0x4000 */
		loaded += linux_env_load(e, img, n, "c", &initrd, 1, 1) == 0;
		if (!env_guards_ok(e)) {
			CHECK(!"a mutated bzImage wrote outside guest memory");
			break;
		}
	}
	CHECK(loaded > 0); /* some mutations still load: the success path was exercised too */
	env_free(e);
}
