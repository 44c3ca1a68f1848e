/*
 * Multiboot Specification 0.6.96 ("Multiboot v1") data structures, as laid out
 * in guest memory and in kernel images. Every structure is packed and its
 * layout pinned by _Static_assert against the offsets the specification
 * gives, because these bytes are the contract with code we did not compile.
 */
#ifndef HV_MULTIBOOT_H
#define HV_MULTIBOOT_H

#include "hv/types.h"

/* Section 3.1.1: the header must lie wholly in the first 8192 bytes, 4-byte aligned. */
#define MB_HEADER_MAGIC 0x1BADB002u
#define MB_HEADER_SEARCH 8192u
#define MB_HEADER_ALIGN 4u

/* Section 3.2: EAX holds this value when the kernel is entered. */
#define MB_BOOTLOADER_MAGIC 0x2BADB002u

/*
 * Section 3.1.2, header flags. Bits 0-15 are "required": a loader that does
 * not understand one that is set must refuse the image. Bits 16-31 are
 * optional hints a loader may ignore.
 */
#define MB_HF_PAGE_ALIGN BIT(0)   /* modules page aligned */
#define MB_HF_MEMINFO BIT(1)      /* mem_* (and mmap) fields wanted */
#define MB_HF_VIDEO BIT(2)        /* video mode table wanted */
#define MB_HF_AOUT_KLUDGE BIT(16) /* use the section 3.1.3 address fields */
#define MB_HF_REQUIRED_MASK 0x0000FFFFu

/* Section 3.1.1: the multiboot header, as found in the kernel image. */
struct mb_header {
	uint32_t magic;
	uint32_t flags;
	uint32_t checksum; /* magic + flags + checksum == 0 (mod 2^32) */
	/* Section 3.1.3: valid only if flags bit 16 is set. */
	uint32_t header_addr;
	uint32_t load_addr;
	uint32_t load_end_addr;
	uint32_t bss_end_addr;
	uint32_t entry_addr;
	/* Section 3.1.4: valid only if flags bit 2 is set. */
	uint32_t mode_type;
	uint32_t width;
	uint32_t height;
	uint32_t depth;
} PACKED;

/* Bytes of header needed for the magic fields, and for the address fields. */
#define MB_HEADER_MAGIC_SIZE 12u
#define MB_HEADER_AOUT_SIZE 32u

_Static_assert(sizeof(struct mb_header) == 48, "multiboot header size");
_Static_assert(offsetof(struct mb_header, checksum) == 8, "mb_header.checksum");
_Static_assert(offsetof(struct mb_header, header_addr) == 12, "mb_header.header_addr");
_Static_assert(offsetof(struct mb_header, entry_addr) == 28, "mb_header.entry_addr");
_Static_assert(offsetof(struct mb_header, mode_type) == 32, "mb_header.mode_type");
_Static_assert(offsetof(struct mb_header, depth) == 44, "mb_header.depth");

/* Section 3.3: flags of the boot information block (which fields are valid). */
#define MB_INFO_MEMORY BIT(0)
#define MB_INFO_BOOTDEV BIT(1)
#define MB_INFO_CMDLINE BIT(2)
#define MB_INFO_MODS BIT(3)
#define MB_INFO_AOUT_SYMS BIT(4)
#define MB_INFO_ELF_SHDR BIT(5)
#define MB_INFO_MEM_MAP BIT(6)
#define MB_INFO_DRIVE_INFO BIT(7)
#define MB_INFO_CONFIG_TABLE BIT(8)
#define MB_INFO_BOOT_LOADER_NAME BIT(9)
#define MB_INFO_APM_TABLE BIT(10)
#define MB_INFO_VBE_INFO BIT(11)
#define MB_INFO_FRAMEBUFFER_INFO BIT(12)

/* Section 3.3: the boot information block; EBX points at it on entry. */
struct mb_info {
	uint32_t flags;
	uint32_t mem_lower; /* KiB of RAM from 0 (at most 640) */
	uint32_t mem_upper; /* KiB of RAM from 1 MiB to the first hole */
	uint32_t boot_device;
	uint32_t cmdline; /* physical address of a NUL-terminated string */
	uint32_t mods_count;
	uint32_t mods_addr; /* physical address of struct mb_module[mods_count] */
	uint32_t syms[4];   /* a.out symbol table or ELF section headers (bits 4/5) */
	uint32_t mmap_length; /* bytes of memory map */
	uint32_t mmap_addr;
	uint32_t drives_length;
	uint32_t drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
	uint32_t apm_table;
	uint32_t vbe_control_info;
	uint32_t vbe_mode_info;
	uint16_t vbe_mode;
	uint16_t vbe_interface_seg;
	uint16_t vbe_interface_off;
	uint16_t vbe_interface_len;
	uint64_t framebuffer_addr;
	uint32_t framebuffer_pitch;
	uint32_t framebuffer_width;
	uint32_t framebuffer_height;
	uint8_t framebuffer_bpp;
	uint8_t framebuffer_type;
	uint8_t color_info[6];
} PACKED;

_Static_assert(sizeof(struct mb_info) == 116, "multiboot info size");
_Static_assert(offsetof(struct mb_info, mem_upper) == 8, "mb_info.mem_upper");
_Static_assert(offsetof(struct mb_info, cmdline) == 16, "mb_info.cmdline");
_Static_assert(offsetof(struct mb_info, mods_addr) == 24, "mb_info.mods_addr");
_Static_assert(offsetof(struct mb_info, syms) == 28, "mb_info.syms");
_Static_assert(offsetof(struct mb_info, mmap_length) == 44, "mb_info.mmap_length");
_Static_assert(offsetof(struct mb_info, mmap_addr) == 48, "mb_info.mmap_addr");
_Static_assert(offsetof(struct mb_info, boot_loader_name) == 64, "mb_info.boot_loader_name");
_Static_assert(offsetof(struct mb_info, vbe_mode) == 80, "mb_info.vbe_mode");
_Static_assert(offsetof(struct mb_info, framebuffer_addr) == 88, "mb_info.framebuffer_addr");
_Static_assert(offsetof(struct mb_info, framebuffer_bpp) == 108, "mb_info.framebuffer_bpp");
_Static_assert(offsetof(struct mb_info, color_info) == 110, "mb_info.color_info");

/* Section 3.3: memory map entry types. */
#define MB_MMAP_AVAILABLE 1u
#define MB_MMAP_RESERVED 2u

/*
 * Section 3.3: one memory map entry. `size` counts the bytes after itself
 * (20 here), so the kernel walks the map with entry += size + 4; mmap_addr
 * points at the first entry's `size` field.
 */
struct mb_mmap_entry {
	uint32_t size;
	uint64_t addr;
	uint64_t len;
	uint32_t type;
} PACKED;

_Static_assert(sizeof(struct mb_mmap_entry) == 24, "multiboot mmap entry size");
_Static_assert(offsetof(struct mb_mmap_entry, addr) == 4, "mb_mmap_entry.addr");
_Static_assert(offsetof(struct mb_mmap_entry, len) == 12, "mb_mmap_entry.len");
_Static_assert(offsetof(struct mb_mmap_entry, type) == 20, "mb_mmap_entry.type");

/* Section 3.3: one boot module; mod_end is exclusive (as GRUB sets it). */
struct mb_module {
	uint32_t mod_start;
	uint32_t mod_end;
	uint32_t string; /* physical address of the module's NUL-terminated command line */
	uint32_t reserved; /* must be 0 */
} PACKED;

_Static_assert(sizeof(struct mb_module) == 16, "multiboot module size");
_Static_assert(offsetof(struct mb_module, string) == 8, "mb_module.string");
_Static_assert(offsetof(struct mb_module, reserved) == 12, "mb_module.reserved");

#endif
