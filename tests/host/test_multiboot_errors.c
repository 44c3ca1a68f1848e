/* Multiboot v1 loader: every error, and nothing written outside guest memory on failure. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "hv/elf.h"
#include "hv/multiboot.h"
#include "tests/host/harness.h"
#include "tests/host/mb_image_builder.h"
#include "tests/host/mb_test_env.h"

static uint8_t img[IMG_CAP];

/* Load and expect failure with a message containing want; nothing outside mem written. */
static void expect_err_mods(const uint8_t *image, size_t n, uint64_t memsize,
			    const struct mb_module_img *mods, unsigned nmods, const char *want,
			    int line)
{
	test_checks++; /* a check, reported through test_fail */
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
	aout_image(img, 0x1040, 0x201800, 0x205000, &n);
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
