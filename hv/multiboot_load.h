/*
 * Multiboot v1 kernel loader: puts a kernel image (ELF32, ELF64 or a.out-kludge)
 * and its boot modules into a guest's memory partition and builds the
 * multiboot information block the kernel expects in EBX.
 */
#ifndef HV_MULTIBOOT_LOAD_H
#define HV_MULTIBOOT_LOAD_H

#include "hv/multiboot.h"
#include "hv/types.h"

struct guest_mem { uint8_t *base; uint64_t size; };          /* guest-physical 0 == base[0] */
struct mb_module_img { const void *data; size_t size; const char *cmdline; };
struct mb_boot_state {
	uint32_t entry;        /* EIP to start at (32-bit protected mode, paging off) */
	uint32_t mbi_gpa;      /* EBX: guest-physical address of the multiboot info */
	uint32_t eax;          /* 0x2BADB002 */
	uint64_t kernel_start, kernel_end;  /* guest-physical range the kernel image occupies (incl. bss) */
	/* Linux's 64-bit entry (hv/linux_load.h): long mode, paging on (CR0.PG|PE, CR4.PAE,
	 * EFER.LME|LMA), CS = 0x10 64-bit code, DS/ES/SS/FS/GS = 0x18, RIP = entry (identity
	 * mapped, < 4 GiB), RSI = rsi. When clear, the 32-bit multiboot state above. */
	bool long_mode;
	uint64_t cr3, gdt_base, rsi;
	uint16_t gdt_limit;
};

/* The memory map a guest of mem_size bytes is given (boot info, mmap_addr): conventional
 * RAM, the legacy hole, RAM from 1 MiB, and where the RAM covers the local APIC page, that
 * page reserved and the RAM above it. Returns the number of entries (3..MB_MMAP_MAX). */
#define MB_MMAP_MAX 5
unsigned mb_memory_map(uint64_t mem_size, struct mb_mmap_entry map[MB_MMAP_MAX]);

/* True when image's first 8 KiB hold the multiboot magic at a 4-byte aligned offset, valid
 * or not: the image is meant for this loader (guest_setup's choice, hv/linux_load.h). */
bool multiboot_magic_present(const void *image, size_t image_size);

/*
 * Load image[0..image_size) into mem, build the info block, fill *out. On any
 * problem return -1 with a one-line message in err naming what was wrong
 * (segments and modules are numbered from 0, in file / argument order).
 * Nothing outside mem is ever written, whatever the image holds; mem may be
 * partly written when an error is returned. cmdline, loader_name and module
 * command lines may be NULL (passed to the kernel as "").
 */
int multiboot_load(struct guest_mem *mem, const void *image, size_t image_size, const char *cmdline,
                   const struct mb_module_img *mods, unsigned nmods, const char *loader_name,
                   struct mb_boot_state *out, char *err, size_t errlen);

#endif
