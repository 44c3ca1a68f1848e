/* Linux loader: vmlinux ELF64 images, the kernel-kind choice, the e820 table, and
 * guest_setup handing a Linux kernel to the Linux loader (hv/linux_load.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hv/elf.h"
#include "hv/guest_setup.h"
#include "tests/host/harness.h"
#include "tests/host/linux_test_util.h"
#include "tests/host/mb_image_builder.h"

static uint8_t img[IMG_CAP];

TEST(linux_vmlinux_loads)
{
	size_t n = vmlinux_build(img, 0x1000000);
	static uint8_t rd[0x1000];
	struct mb_module_img initrd = { rd, sizeof(rd), NULL };
	struct env *e = env_new(MIB(32));
	REQUIRE(linux_env_load(e, img, n, "console=ttyS0", &initrd, 1, 3000000) == 0);
	CHECK(env_guards_ok(e));
	CHECK(memcmp(e->mem.base + 0x1000000, img + 0x1000, 0x3000) == 0);
	CHECK(memcmp(e->mem.base + 0x1200000, img + 0x4000, 0x1000) == 0);
	CHECK_EQ(e->mem.base[0x1204fff], 0); /* bss zeroed */
	CHECK(e->st.long_mode);
	CHECK_EQ(e->st.entry, 0x1000000); /* e_entry: physical startup_64 */
	CHECK_EQ(e->st.rsi, 0x8000);
	CHECK_EQ(e->st.kernel_start, 0x1000000);
	CHECK_EQ(e->st.kernel_end, 0x1205000);
	/* The header the loader writes in place of a setup header (boot.rst field offsets). */
	const uint8_t *zp = e->mem.base + 0x8000;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;
	memcpy(&u16, zp + 0x1FE, 2);
	CHECK_EQ(u16, 0xAA55);
	CHECK(!memcmp(zp + 0x202, "HdrS", 4));
	memcpy(&u16, zp + 0x206, 2);
	CHECK(u16 >= 0x020C); /* non-zero: head64.c copies the boot data again while it is 0 */
	CHECK_EQ(zp[0x210], 0xFF);
	CHECK_EQ(zp[0x211] & 1, 1);
	memcpy(&u16, zp + 0x236, 2);
	CHECK_EQ(u16 & 1, 1);
	memcpy(&u32, zp + 0x228, 4);
	CHECK_EQ(u32, 0x9000);
	memcpy(&u32, zp + 0x260, 4);
	CHECK_EQ(u32, 0x205000);
	memcpy(&u64, zp + 0x258, 8);
	CHECK_EQ(u64, 0x1000000);
	memcpy(&u32, zp + 0x218, 4);
	CHECK_EQ(u32, MIB(32) - 0x1000);
	CHECK(!strcmp((const char *)e->mem.base + 0x9000, "console=ttyS0 tsc_early_khz=3000000"));
	CHECK_EQ(linux_walk(&e->mem, e->st.cr3, 0x1000000), 0x1000000);
	env_free(e);
}

static void expect_refused(const uint8_t *image, size_t n, const char *want, int line)
{
	test_checks++;
	struct env *e = env_new(MIB(32));
	int rc = linux_env_load(e, image, n, "", NULL, 0, 0);
	if (rc != -1 || !strstr(e->err, want) || !env_guards_ok(e)) {
		char m[512];
		snprintf(m, sizeof(m), "rc %d, err \"%s\", want \"%s\"", rc, e->err, want);
		test_fail(__FILE__, line, m);
	}
	env_free(e);
}
#define REFUSED(n, want) expect_refused(img, n, want, __LINE__)

TEST(linux_vmlinux_refusals)
{
	size_t n = vmlinux_build(img, 0x1100000);
	REFUSED(n, "kernel: vmlinux load address 0x1100000 is not 2 MiB aligned");
	n = vmlinux_build(img, 0x0);
	REFUSED(n, "kernel: vmlinux segments start at 0x0, below 1 MiB");
	n = vmlinux_build(img, 0x1202000); /* text on top of data+bss */
	REFUSED(n, "kernel: segment 0 [0x1202000, 0x1205000) and segment 1 [0x1200000, 0x1205000) overlap");
	n = vmlinux_build(img, 0x2000000);
	REFUSED(n, "kernel: segment 0 [0x2000000, 0x2003000) lies outside the guest's 32 MiB");
	n = vmlinux_build(img, 0x1000000);
	REFUSED(0x40, "kernel: truncated program header table");
	img[EI_CLASS] = ELFCLASS32; /* linux_load called on an ELF32: not a vmlinux */
	REFUSED(n, "kernel: neither a bzImage nor an ELF64 vmlinux");
	n = vmlinux_build(img, 0x1000000);
	img[18] = 3; /* e_machine EM_386 */
	REFUSED(n, "kernel: ELF64 machine 3 is not EM_X86_64 (62)");
}

TEST(linux_kernel_kind)
{
	size_t n = vmlinux_build(img, 0x1000000);
	CHECK_EQ(kernel_kind(img, n), KERNEL_LINUX_VMLINUX);
	put_mb_header(img, 0x200, 0); /* a multiboot header: the multiboot loader's, as before */
	CHECK_EQ(kernel_kind(img, n), KERNEL_MULTIBOOT);
	put32(img, 0x208, 0); /* a bad checksum is still meant for it (its error names it) */
	CHECK_EQ(kernel_kind(img, n), KERNEL_MULTIBOOT);
	n = build_elf(img, false, 0x100000, k32, 3, 0x200, 0);
	memset(img + 0x200, 0, 12);
	CHECK_EQ(kernel_kind(img, n), KERNEL_MULTIBOOT); /* ELF32 without a header: its error */
	static uint8_t bz[BZ_CAP];
	n = bz_build(bz);
	CHECK_EQ(kernel_kind(bz, n), KERNEL_LINUX_BZIMAGE);
	CHECK_EQ(kernel_kind(bz, 0x205), KERNEL_MULTIBOOT); /* too short to hold "HdrS" */
	CHECK_EQ(kernel_kind("hello", 5), KERNEL_MULTIBOOT);
	CHECK_EQ(kernel_kind(NULL, 0), KERNEL_MULTIBOOT);
}

struct e820_want { uint64_t addr, size; uint32_t type; };

static void check_e820(uint64_t mem, const struct e820_want *w, unsigned nw, int line)
{
	struct linux_e820_entry t[LINUX_E820_MAX];
	unsigned n = linux_e820_table(mem, t);
	test_checks++;
	bool ok = n == nw;
	for (unsigned i = 0; ok && i < n; i++)
		ok = t[i].addr == w[i].addr && t[i].size == w[i].size && t[i].type == w[i].type;
	if (!ok) {
		char m[128];
		snprintf(m, sizeof(m), "e820 for 0x%llx: %u entries, want %u (or an entry differs)",
			 (unsigned long long)mem, n, nw);
		test_fail(__FILE__, line, m);
	}
}

TEST(linux_e820_tables)
{
	const struct e820_want small[] = {
		{ 0, 0x1000, 1 }, { 0x1000, 0x9000, 2 }, { 0xA000, 0x96000, 1 },
		{ 0xA0000, 0x60000, 2 }, { 0x100000, MIB(63), 1 },
	};
	check_e820(MIB(64), small, ARRAY_SIZE(small), __LINE__);
	/* RAM up to the local APIC page: the IOAPIC page is cut out of it. */
	const struct e820_want to_apic[] = {
		{ 0, 0x1000, 1 }, { 0x1000, 0x9000, 2 }, { 0xA000, 0x96000, 1 },
		{ 0xA0000, 0x60000, 2 }, { 0x100000, 0xFEC00000 - 0x100000, 1 },
		{ 0xFEC00000, 0x1000, 2 }, { 0xFEC01000, 0xFEE00000 - 0xFEC01000, 1 },
	};
	check_e820(0xFEE00000, to_apic, ARRAY_SIZE(to_apic), __LINE__);
	const struct e820_want big[] = {
		{ 0, 0x1000, 1 }, { 0x1000, 0x9000, 2 }, { 0xA000, 0x96000, 1 },
		{ 0xA0000, 0x60000, 2 }, { 0x100000, 0xFEC00000 - 0x100000, 1 },
		{ 0xFEC00000, 0x1000, 2 }, { 0xFEC01000, 0xFEE00000 - 0xFEC01000, 1 },
		{ 0xFEE00000, 0x1000, 2 }, { 0xFEE01000, GIB(8) - 0xFEE01000, 1 },
	};
	check_e820(GIB(8), big, ARRAY_SIZE(big), __LINE__);
	/* The zero page carries the same table. */
	size_t n = vmlinux_build(img, 0x1000000);
	struct env *e = env_new(MIB(64));
	REQUIRE(linux_env_load(e, img, n, "", NULL, 0, 0) == 0);
	const uint8_t *zp = e->mem.base + 0x8000;
	CHECK_EQ(zp[0x1E8], ARRAY_SIZE(small));
	for (unsigned i = 0; i < ARRAY_SIZE(small); i++) {
		struct { uint64_t a, s; uint32_t t; } __attribute__((packed)) ent;
		memcpy(&ent, zp + 0x2D0 + 20 * i, 20);
		CHECK(ent.a == small[i].addr && ent.s == small[i].size && ent.t == small[i].type);
	}
	env_free(e);
}

/* guest_setup: a bzImage goes to the Linux loader (long-mode entry), a bad one stops only
 * that guest with the field named after the kernel's path. */
TEST(linux_guest_setup_dispatch)
{
	static uint8_t ports[8192];
	static uint8_t bz[BZ_CAP];
	size_t n = bz_build(bz);
	struct hv_guest_cfg cfg = { .name = "lx", .memory = MIB(32), .kernel = "vmlinuz" };
	strcpy(cfg.cmdline, "console=ttyS0");
	struct vcpu *v = calloc(1, sizeof(*v));
	uint8_t *mem = calloc(1, MIB(32));
	struct blob k = { bz, n };
	guest_setup(v, &cfg, 1, 0, mem, &k, NULL, ports);
	CHECK(v->end.kind == GUEST_RUNNING);
	CHECK(v->boot.long_mode);
	CHECK_EQ(v->boot.entry, 0x1000200);
	CHECK(strstr((const char *)mem + 0x9000, "console=ttyS0 tsc_early_khz=") != NULL);
	bz_put16(bz, 0x236, 0);
	guest_setup(v, &cfg, 1, 0, mem, &k, NULL, ports);
	CHECK(v->end.kind == GUEST_STOPPED);
	CHECK(!strcmp(v->end.reason, "vmlinuz: kernel: xloadflags 0x0000: XLF_KERNEL_64 (bit 0) clear, no 64-bit entry"));
	/* A multiboot kernel still starts in 32-bit protected mode. */
	size_t m = build_elf(img, false, 0x100010, k32, 3, 0x100, 0);
	struct blob mk = { img, m };
	memset(mem, 0, MIB(32));
	guest_setup(v, &cfg, 1, 0, mem, &mk, NULL, ports);
	CHECK(v->end.kind == GUEST_RUNNING);
	CHECK(!v->boot.long_mode);
	CHECK_EQ(v->boot.eax, 0x2BADB002);
	free(mem);
	free(v);
}
