/*
 * The x86 Linux boot protocol's structures, as Documentation/arch/x86/boot.rst
 * ("THE REAL-MODE KERNEL HEADER") and zero-page.rst lay them out, and as
 * arch/x86/include/uapi/asm/bootparam.h declares them: the setup header a
 * bzImage carries at file offset 0x1F1, and the zero page (struct boot_params)
 * the loader hands the kernel. Only what hv's loader reads or writes is named;
 * the rest is padding. Every offset is checked against the documents' tables.
 */
#ifndef HV_LINUX_BOOTPARAM_H
#define HV_LINUX_BOOTPARAM_H

#include <stddef.h>
#include "hv/types.h"

#define LINUX_SETUP_HDR_OFFSET 0x1F1     /* in the image and in the zero page */
#define LINUX_HDRS_MAGIC 0x53726448u     /* "HdrS" at 0x202 */
#define LINUX_BOOT_FLAG 0xAA55u          /* at 0x1FE */
#define LINUX_MIN_VERSION 0x020C         /* 2.12: xloadflags, the 64-bit entry */
#define LINUX_LOADED_HIGH 0x01           /* loadflags bit 0: protected-mode code at 0x100000 */
#define LINUX_XLF_KERNEL_64 0x0001       /* xloadflags bit 0: 64-bit entry at load + 0x200 */
#define LINUX_TYPE_OF_LOADER_UNDEF 0xFF  /* "undefined" boot loader (boot.rst) */
#define LINUX_E820_MAX_ZEROPAGE 128
#define LINUX_E820_RAM 1
#define LINUX_E820_RESERVED 2
#define LINUX_ENTRY64_OFFSET 0x200       /* boot.rst "64-bit BOOT PROTOCOL" */

struct linux_setup_header {
	uint8_t setup_sects;          /* 0x1F1 */
	uint16_t root_flags;          /* 0x1F2 */
	uint32_t syssize;             /* 0x1F4: protected-mode code size in 16-byte paragraphs */
	uint16_t ram_size;            /* 0x1F8 */
	uint16_t vid_mode;            /* 0x1FA */
	uint16_t root_dev;            /* 0x1FC */
	uint16_t boot_flag;           /* 0x1FE */
	uint16_t jump;                /* 0x200 */
	uint32_t header;              /* 0x202 */
	uint16_t version;             /* 0x206 */
	uint32_t realmode_swtch;      /* 0x208 */
	uint16_t start_sys_seg;       /* 0x20C */
	uint16_t kernel_version;      /* 0x20E */
	uint8_t type_of_loader;       /* 0x210 */
	uint8_t loadflags;            /* 0x211 */
	uint16_t setup_move_size;     /* 0x212 */
	uint32_t code32_start;        /* 0x214 */
	uint32_t ramdisk_image;       /* 0x218 */
	uint32_t ramdisk_size;        /* 0x21C */
	uint32_t bootsect_kludge;     /* 0x220 */
	uint16_t heap_end_ptr;        /* 0x224 */
	uint8_t ext_loader_ver;       /* 0x226 */
	uint8_t ext_loader_type;      /* 0x227 */
	uint32_t cmd_line_ptr;        /* 0x228 */
	uint32_t initrd_addr_max;     /* 0x22C */
	uint32_t kernel_alignment;    /* 0x230 */
	uint8_t relocatable_kernel;   /* 0x234 */
	uint8_t min_alignment;        /* 0x235 */
	uint16_t xloadflags;          /* 0x236 */
	uint32_t cmdline_size;        /* 0x238: without the terminating NUL */
	uint32_t hardware_subarch;    /* 0x23C */
	uint64_t hardware_subarch_data; /* 0x240 */
	uint32_t payload_offset;      /* 0x248 */
	uint32_t payload_length;      /* 0x24C */
	uint64_t setup_data;          /* 0x250 */
	uint64_t pref_address;        /* 0x258 */
	uint32_t init_size;           /* 0x260 */
	uint32_t handover_offset;     /* 0x264 */
	uint32_t kernel_info_offset;  /* 0x268 */
} PACKED;

#define LINUX_HDR_OFF(f) (LINUX_SETUP_HDR_OFFSET + offsetof(struct linux_setup_header, f))
_Static_assert(LINUX_HDR_OFF(syssize) == 0x1F4, "syssize");
_Static_assert(LINUX_HDR_OFF(boot_flag) == 0x1FE, "boot_flag");
_Static_assert(LINUX_HDR_OFF(header) == 0x202, "header");
_Static_assert(LINUX_HDR_OFF(version) == 0x206, "version");
_Static_assert(LINUX_HDR_OFF(type_of_loader) == 0x210, "type_of_loader");
_Static_assert(LINUX_HDR_OFF(loadflags) == 0x211, "loadflags");
_Static_assert(LINUX_HDR_OFF(code32_start) == 0x214, "code32_start");
_Static_assert(LINUX_HDR_OFF(ramdisk_image) == 0x218, "ramdisk_image");
_Static_assert(LINUX_HDR_OFF(ramdisk_size) == 0x21C, "ramdisk_size");
_Static_assert(LINUX_HDR_OFF(cmd_line_ptr) == 0x228, "cmd_line_ptr");
_Static_assert(LINUX_HDR_OFF(initrd_addr_max) == 0x22C, "initrd_addr_max");
_Static_assert(LINUX_HDR_OFF(kernel_alignment) == 0x230, "kernel_alignment");
_Static_assert(LINUX_HDR_OFF(relocatable_kernel) == 0x234, "relocatable_kernel");
_Static_assert(LINUX_HDR_OFF(xloadflags) == 0x236, "xloadflags");
_Static_assert(LINUX_HDR_OFF(cmdline_size) == 0x238, "cmdline_size");
_Static_assert(LINUX_HDR_OFF(setup_data) == 0x250, "setup_data");
_Static_assert(LINUX_HDR_OFF(pref_address) == 0x258, "pref_address");
_Static_assert(LINUX_HDR_OFF(init_size) == 0x260, "init_size");
_Static_assert(LINUX_HDR_OFF(kernel_info_offset) == 0x268, "kernel_info_offset");

/* zero-page.rst: e820_table entries, 20 bytes each. */
struct linux_e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
} PACKED;
_Static_assert(sizeof(struct linux_e820_entry) == 20, "boot_e820_entry");

struct linux_boot_params {
	uint8_t screen_info[0x40];                     /* 0x000 */
	uint8_t apm_bios_info[0x14];                   /* 0x040 */
	uint8_t pad_054[4];                            /* 0x054 */
	uint64_t tboot_addr;                           /* 0x058 */
	uint8_t ist_info[0x10];                        /* 0x060 */
	uint64_t acpi_rsdp_addr;                       /* 0x070 */
	uint8_t pad_078[0xC0 - 0x78];                  /* 0x078 */
	uint32_t ext_ramdisk_image;                    /* 0x0C0 */
	uint32_t ext_ramdisk_size;                     /* 0x0C4 */
	uint32_t ext_cmd_line_ptr;                     /* 0x0C8 */
	uint8_t pad_0cc[0x1E8 - 0xCC];                 /* 0x0CC */
	uint8_t e820_entries;                          /* 0x1E8 */
	uint8_t pad_1e9[6];                            /* 0x1E9 */
	uint8_t sentinel;                              /* 0x1EF: must stay 0 (sanitize_boot_params) */
	uint8_t pad_1f0;                               /* 0x1F0 */
	struct linux_setup_header hdr;                 /* 0x1F1 */
	uint8_t pad_hdr_end[0x2D0 - 0x1F1 - sizeof(struct linux_setup_header)];
	struct linux_e820_entry e820_table[LINUX_E820_MAX_ZEROPAGE]; /* 0x2D0 */
	uint8_t pad_cd0[0x1000 - 0xCD0];               /* 0xCD0 */
} PACKED;
_Static_assert(sizeof(struct linux_boot_params) == 4096, "zero page size");
_Static_assert(offsetof(struct linux_boot_params, acpi_rsdp_addr) == 0x070, "acpi_rsdp_addr");
_Static_assert(offsetof(struct linux_boot_params, ext_ramdisk_image) == 0x0C0, "ext_ramdisk_image");
_Static_assert(offsetof(struct linux_boot_params, e820_entries) == 0x1E8, "e820_entries");
_Static_assert(offsetof(struct linux_boot_params, sentinel) == 0x1EF, "sentinel");
_Static_assert(offsetof(struct linux_boot_params, hdr) == 0x1F1, "hdr");
_Static_assert(offsetof(struct linux_boot_params, e820_table) == 0x2D0, "e820_table");

#endif
