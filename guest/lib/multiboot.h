/* Multiboot v1 boot information, as the loader (hypervisor or QEMU) hands it over. */
#ifndef GUEST_MULTIBOOT_H
#define GUEST_MULTIBOOT_H

#include "guest.h"

#define MB_BOOT_MAGIC 0x2BADB002u /* in EAX at entry */

/* mb_info.flags: which fields are valid. */
#define MB_INFO_MEM (1u << 0)
#define MB_INFO_BOOTDEV (1u << 1)
#define MB_INFO_CMDLINE (1u << 2)
#define MB_INFO_MODS (1u << 3)
#define MB_INFO_AOUT_SYMS (1u << 4)
#define MB_INFO_ELF_SHDR (1u << 5)
#define MB_INFO_MMAP (1u << 6)
#define MB_INFO_DRIVES (1u << 7)
#define MB_INFO_CONFIG (1u << 8)
#define MB_INFO_LOADER_NAME (1u << 9)
#define MB_INFO_APM (1u << 10)
#define MB_INFO_VBE (1u << 11)

struct mb_info {
	uint32_t flags;
	uint32_t mem_lower; /* KiB of RAM from 0 */
	uint32_t mem_upper; /* KiB of RAM from 1 MiB */
	uint32_t boot_device;
	uint32_t cmdline; /* physical address of a NUL-terminated string */
	uint32_t mods_count;
	uint32_t mods_addr; /* physical address of struct mb_module[mods_count] */
	uint32_t syms[4];
	uint32_t mmap_length; /* bytes */
	uint32_t mmap_addr; /* physical address of the first struct mb_mmap_entry */
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
};

struct mb_module {
	uint32_t mod_start; /* physical, inclusive */
	uint32_t mod_end; /* physical, exclusive */
	uint32_t string; /* physical address of its command line */
	uint32_t reserved;
};

/* `size` does not count itself: the next entry is at (entry + size + 4). */
struct mb_mmap_entry {
	uint32_t size;
	uint64_t addr;
	uint64_t len;
	uint32_t type;
} __attribute__((packed));

#define MB_MMAP_AVAILABLE 1

/* Guest-physical address -> pointer (paging is off: identity). */
static inline const void *mb_ptr(uint32_t phys)
{
	return (const void *)(uintptr_t)phys;
}

/* Saved by start.asm: EAX and EBX as the loader left them. */
extern uint32_t boot_magic;
extern const struct mb_info *boot_mbi;

#endif
