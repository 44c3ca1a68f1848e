/* Synthetic Linux kernels (bzImage, vmlinux) and checks for the Linux loader tests. */
#ifndef TESTS_HOST_LINUX_TEST_UTIL_H
#define TESTS_HOST_LINUX_TEST_UTIL_H

#include "hv/linux_load.h"
#include "tests/host/mb_test_env.h"

#define BZ_SETUP_SECTS 4
#define BZ_PM_OFF ((BZ_SETUP_SECTS + 1) * 512)
#define BZ_PAYLOAD 0x8000u         /* protected-mode code bytes */
#define BZ_SIZE (BZ_PM_OFF + BZ_PAYLOAD + 0x100) /* plus a trailing "signature" */
#define BZ_CAP 0x20000

/* A 64-bit relocatable bzImage, protocol 2.15, pref_address 16 MiB, init_size 4 MiB,
 * alignment 2 MiB; payload byte i is bz_pat(i). */
size_t bz_build(uint8_t *img);
uint8_t bz_pat(uint64_t i);
void bz_put16(uint8_t *img, size_t off, uint16_t v);
void bz_put32(uint8_t *img, size_t off, uint32_t v);
void bz_put64(uint8_t *img, size_t off, uint64_t v);

/* A vmlinux ELF64 (no multiboot header): text at paddr 16 MiB (vaddr 0xffffffff81000000,
 * 0x3000 bytes), data+bss at 18 MiB (0x1000 file bytes, 0x5000 in memory); entry 16 MiB.
 * text_paddr moves the first segment and the entry. */
size_t vmlinux_build(uint8_t *img, uint64_t text_paddr);

/* linux_load into e with cmdline, one optional initrd and tsc_khz; err in e->err. */
int linux_env_load(struct env *e, const uint8_t *img, size_t n, const char *cmdline,
		   const struct mb_module_img *initrd, unsigned nmods, uint64_t tsc_khz);
/* The guest's own 4-level walk of va from cr3 through 2 MiB PDEs: the physical address, or
 * ~0 when not mapped. */
uint64_t linux_walk(const struct guest_mem *mem, uint64_t cr3, uint64_t va);
const struct linux_boot_params *linux_zero_page(const struct env *e);

#endif
