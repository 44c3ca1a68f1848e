/* Synthetic Linux kernels for the loader tests (tests/host/linux_test_util.h). */
#include <string.h>
#include "hv/elf.h"
#include "tests/host/linux_test_util.h"
#include "tests/host/mb_image_builder.h"

uint8_t bz_pat(uint64_t i)
{
	return (uint8_t)(i * 7 + (i >> 8) + 1);
}

void bz_put16(uint8_t *img, size_t off, uint16_t v)
{
	memcpy(img + off, &v, 2);
}

void bz_put32(uint8_t *img, size_t off, uint32_t v)
{
	memcpy(img + off, &v, 4);
}

void bz_put64(uint8_t *img, size_t off, uint64_t v)
{
	memcpy(img + off, &v, 8);
}

size_t bz_build(uint8_t *img)
{
	memset(img, 0, BZ_CAP);
	/* Offsets written out from boot.rst's header table, not from hv/linux_bootparam.h. */
	img[0x1F1] = BZ_SETUP_SECTS;
	bz_put32(img, 0x1F4, BZ_PAYLOAD / 16);     /* syssize */
	bz_put16(img, 0x1FE, 0xAA55);              /* boot_flag */
	img[0x200] = 0xEB;                         /* jump: short jmp to 0x26C */
	img[0x201] = 0x6A;
	memcpy(img + 0x202, "HdrS", 4);
	bz_put16(img, 0x206, 0x020F);              /* version 2.15 */
	bz_put16(img, 0x20E, 0x1234);              /* kernel_version (a pointer; kept) */
	img[0x211] = 0x01;                         /* loadflags: LOADED_HIGH */
	bz_put32(img, 0x214, 0x100000);            /* code32_start */
	bz_put32(img, 0x22C, 0x7fffffff);          /* initrd_addr_max */
	bz_put32(img, 0x230, 0x200000);            /* kernel_alignment */
	img[0x234] = 1;                            /* relocatable_kernel */
	img[0x235] = 21;                           /* min_alignment */
	bz_put16(img, 0x236, 0x7f);                /* xloadflags: KERNEL_64 and more */
	bz_put32(img, 0x238, 2047);                /* cmdline_size */
	bz_put64(img, 0x258, 0x1000000);           /* pref_address */
	bz_put32(img, 0x260, 0x400000);            /* init_size */
	bz_put32(img, 0x268, 0x5a5a);              /* kernel_info_offset */
	img[0x26C] = 0x99;                         /* first byte after the header: not copied */
	for (uint64_t i = 0; i < BZ_PAYLOAD; i++)
		img[BZ_PM_OFF + i] = bz_pat(i);
	memset(img + BZ_PM_OFF + BZ_PAYLOAD, 0xEE, BZ_SIZE - BZ_PM_OFF - BZ_PAYLOAD);
	return BZ_SIZE;
}

size_t vmlinux_build(uint8_t *img, uint64_t text_paddr)
{
	const struct tseg segs[3] = {
		{ PT_LOAD, 0x1000, 0xffffffff81000000ull, text_paddr, 0x3000, 0x3000 },
		{ PT_LOAD, 0x4000, 0xffffffff81200000ull, 0x1200000, 0x1000, 0x5000 },
		{ 4 /* PT_NOTE */, 0x1100, 0xffffffff81000100ull, 0x1000100, 0x10, 0x10 },
	};
	size_t n = build_elf(img, true, text_paddr, segs, 3, 0x200, 0);
	memset(img + 0x200, 0, 12); /* no multiboot header: Linux's */
	return n;
}

int linux_env_load(struct env *e, const uint8_t *img, size_t n, const char *cmdline,
		   const struct mb_module_img *initrd, unsigned nmods, uint64_t tsc_khz)
{
	struct linux_load_args a = { cmdline, initrd, nmods, tsc_khz, 0xE0000 };
	e->err[0] = 0;
	return linux_load(&e->mem, img, n, &a, &e->st, e->err, sizeof(e->err));
}

static uint64_t rd64(const struct guest_mem *mem, uint64_t gpa)
{
	uint64_t v = 0;
	if (gpa + 8 <= mem->size)
		memcpy(&v, mem->base + gpa, 8);
	return v;
}

uint64_t linux_walk(const struct guest_mem *mem, uint64_t cr3, uint64_t va)
{
	const uint64_t addr = 0x000ffffffffff000ull;
	uint64_t e = rd64(mem, (cr3 & addr) + ((va >> 39) & 511) * 8);
	if (!(e & 1))
		return ~0ull;
	e = rd64(mem, (e & addr) + ((va >> 30) & 511) * 8);
	if (!(e & 1) || (e & 0x80))
		return ~0ull; /* 1 GiB pages are not what the loader builds */
	e = rd64(mem, (e & addr) + ((va >> 21) & 511) * 8);
	if (!(e & 1) || !(e & 0x80) || !(e & 2))
		return ~0ull;
	return (e & 0x000fffffffe00000ull) + (va & 0x1fffff);
}

const struct linux_boot_params *linux_zero_page(const struct env *e)
{
	return (const struct linux_boot_params *)(e->mem.base + 0x8000);
}
