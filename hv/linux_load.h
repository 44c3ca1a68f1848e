/*
 * Linux kernel loader (x86 boot protocol, Documentation/arch/x86/boot.rst and
 * zero-page.rst): a bzImage (setup header "HdrS" at 0x202, protocol >= 2.12,
 * 64-bit entry) or an uncompressed vmlinux ELF64, started through the
 * protocol's 64-bit entry: long mode, paging on with an identity map, a GDT
 * with __BOOT_CS = 0x10 and __BOOT_DS = 0x18, interrupts off, RSI = the zero
 * page.
 *
 * Guest-physical layout the loader builds (the e820 table marks it reserved,
 * so the kernel never reuses it while it still reads it):
 *   0x0000-0x0FFF  RAM (usable)
 *   0x1000-0x1FFF  GDT: null, null, 0x10 64-bit code, 0x18 data
 *   0x2000-0x2FFF  PML4
 *   0x3000-0x3FFF  PDPT
 *   0x4000-0x7FFF  4 page directories: 2 MiB pages, identity map of the RAM below 4 GiB
 *   0x8000-0x8FFF  zero page (struct boot_params)
 *   0x9000-0x9FFF  kernel command line (NUL-terminated)
 *   0xA000-0x9FFFF RAM (usable: the real-mode trampoline goes here)
 *   0xA0000-0xFFFFF reserved legacy hole (the ACPI tables live at 0xE0000)
 *   1 MiB-         RAM: the kernel at its load address with its init_size
 *                  window, the initrd at the top of RAM below 2 GiB
 *                  (and initrd_addr_max) outside that window
 */
#ifndef HV_LINUX_LOAD_H
#define HV_LINUX_LOAD_H

#include "hv/linux_bootparam.h"
#include "hv/multiboot_load.h"

#define LINUX_GDT_GPA 0x1000ull
#define LINUX_PML4_GPA 0x2000ull
#define LINUX_PDPT_GPA 0x3000ull
#define LINUX_PD_GPA 0x4000ull       /* 4 pages: up to 4 GiB of 2 MiB pages */
#define LINUX_ZERO_PAGE_GPA 0x8000ull
#define LINUX_CMDLINE_GPA 0x9000ull
#define LINUX_BOOT_AREA_END 0xA000ull
#define LINUX_CMDLINE_MAX 4095u      /* the command line page, less its NUL */
#define LINUX_BOOT_CS 0x10           /* __BOOT_CS: 64-bit code */
#define LINUX_BOOT_DS 0x18           /* __BOOT_DS */
#define LINUX_GDT_LIMIT (4 * 8 - 1)
#define LINUX_IOAPIC_BASE 0xFEC00000ull
#define LINUX_INITRD_CEILING GIB(2)  /* kept below 2 GiB whatever initrd_addr_max allows */

enum kernel_kind { KERNEL_MULTIBOOT, KERNEL_LINUX_BZIMAGE, KERNEL_LINUX_VMLINUX };

/* Which loader a `kernel =` image is for: anything with a multiboot magic in its first
 * 8 KiB is multiboot (as before); then a "HdrS" setup header is a bzImage; then an ELF64
 * is a vmlinux. Everything else goes to the multiboot loader, whose error names it. */
enum kernel_kind kernel_kind(const void *image, size_t size);

struct linux_load_args {
	const char *cmdline;     /* hv.cfg's cmdline (NULL: empty) */
	const struct mb_module_img *mods; /* mods[0] is the initrd; at most one */
	unsigned nmods;
	uint64_t tsc_khz;        /* appended as tsc_early_khz= unless the cmdline sets it; 0: not */
	uint64_t acpi_rsdp;      /* the zero page's acpi_rsdp_addr (0: the kernel scans for it) */
};

/*
 * Load the bzImage or vmlinux image[0..size) into mem, build the zero page,
 * e820 table, command line, GDT and page tables, and fill *out for the 64-bit
 * entry (out->long_mode). On any problem return -1 with a one-line message in
 * err naming the field that was wrong. Nothing outside mem is ever written;
 * mem may be partly written when an error is returned.
 */
int linux_load(struct guest_mem *mem, const void *image, size_t size,
	       const struct linux_load_args *args, struct mb_boot_state *out, char *err,
	       size_t errlen);

/* The e820 table a Linux guest of mem_size bytes gets (hv/linux_e820.c): mb_memory_map's
 * regions, with the loader's boot area and the IOAPIC page (when inside RAM) reserved.
 * Returns the number of entries. */
#define LINUX_E820_MAX 12
unsigned linux_e820_table(uint64_t mem_size, struct linux_e820_entry out[LINUX_E820_MAX]);

/* Internal to the loader's files. Where the kernel went and what it asked for. */
struct linux_kernel {
	uint64_t load, window_end; /* [load, window_end): image + init_size; nothing else goes here */
	uint64_t entry;            /* physical 64-bit entry */
	uint8_t hdr[0x290 - LINUX_SETUP_HDR_OFFSET]; /* the zero page's bytes from 0x1F1 */
	size_t hdr_len;            /* how many of them the image's header fills */
	uint32_t cmdline_max;      /* cmdline_size: longest command line, without the NUL */
	uint64_t initrd_end_max;   /* the initrd must end at or below this */
};
/* The RAM a kernel or initrd may occupy: [1 MiB, min(size, IOAPIC page)). */
uint64_t linux_usable_top(const struct guest_mem *mem);
int linux_bzimage_load(struct guest_mem *mem, const uint8_t *img, size_t size,
		       struct linux_kernel *k, char *err, size_t errlen);
int linux_vmlinux_load(struct guest_mem *mem, const uint8_t *img, size_t size,
		       struct linux_kernel *k, char *err, size_t errlen);
/* GDT and page tables in the boot area, and the entry state in *out (hv/linux_entry.c). */
void linux_entry_build(struct guest_mem *mem, const struct linux_kernel *k,
		       struct mb_boot_state *out);

#endif
