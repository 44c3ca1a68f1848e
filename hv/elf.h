/*
 * The parts of the ELF format (System V gABI) the kernel loader reads: file
 * header and program headers, 32- and 64-bit. Packed so they can overlay an
 * arbitrary byte buffer's layout; the loader still memcpy()s them into
 * aligned locals before use because images may sit at any alignment.
 */
#ifndef HV_ELF_H
#define HV_ELF_H

#include "hv/types.h"

/* e_ident[] indices and values. */
#define EI_MAG0 0
#define EI_CLASS 4
#define EI_DATA 5
#define EI_VERSION 6
#define EI_NIDENT 16
#define ELFCLASS32 1
#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define EV_CURRENT 1

#define ET_EXEC 2
#define EM_386 3
#define EM_X86_64 62

#define PT_NULL 0
#define PT_LOAD 1

struct elf32_ehdr {
	uint8_t e_ident[EI_NIDENT];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint32_t e_entry;
	uint32_t e_phoff;
	uint32_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
} PACKED;

_Static_assert(sizeof(struct elf32_ehdr) == 52, "ELF32 header size");
_Static_assert(offsetof(struct elf32_ehdr, e_entry) == 24, "elf32_ehdr.e_entry");
_Static_assert(offsetof(struct elf32_ehdr, e_phoff) == 28, "elf32_ehdr.e_phoff");
_Static_assert(offsetof(struct elf32_ehdr, e_phentsize) == 42, "elf32_ehdr.e_phentsize");
_Static_assert(offsetof(struct elf32_ehdr, e_phnum) == 44, "elf32_ehdr.e_phnum");

struct elf64_ehdr {
	uint8_t e_ident[EI_NIDENT];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint64_t e_entry;
	uint64_t e_phoff;
	uint64_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
} PACKED;

_Static_assert(sizeof(struct elf64_ehdr) == 64, "ELF64 header size");
_Static_assert(offsetof(struct elf64_ehdr, e_entry) == 24, "elf64_ehdr.e_entry");
_Static_assert(offsetof(struct elf64_ehdr, e_phoff) == 32, "elf64_ehdr.e_phoff");
_Static_assert(offsetof(struct elf64_ehdr, e_phentsize) == 54, "elf64_ehdr.e_phentsize");
_Static_assert(offsetof(struct elf64_ehdr, e_phnum) == 56, "elf64_ehdr.e_phnum");

struct elf32_phdr {
	uint32_t p_type;
	uint32_t p_offset;
	uint32_t p_vaddr;
	uint32_t p_paddr;
	uint32_t p_filesz;
	uint32_t p_memsz;
	uint32_t p_flags;
	uint32_t p_align;
} PACKED;

_Static_assert(sizeof(struct elf32_phdr) == 32, "ELF32 program header size");
_Static_assert(offsetof(struct elf32_phdr, p_paddr) == 12, "elf32_phdr.p_paddr");
_Static_assert(offsetof(struct elf32_phdr, p_memsz) == 20, "elf32_phdr.p_memsz");

/* Note the 64-bit layout moves p_flags up to keep the 64-bit fields aligned. */
struct elf64_phdr {
	uint32_t p_type;
	uint32_t p_flags;
	uint64_t p_offset;
	uint64_t p_vaddr;
	uint64_t p_paddr;
	uint64_t p_filesz;
	uint64_t p_memsz;
	uint64_t p_align;
} PACKED;

_Static_assert(sizeof(struct elf64_phdr) == 56, "ELF64 program header size");
_Static_assert(offsetof(struct elf64_phdr, p_offset) == 8, "elf64_phdr.p_offset");
_Static_assert(offsetof(struct elf64_phdr, p_paddr) == 24, "elf64_phdr.p_paddr");
_Static_assert(offsetof(struct elf64_phdr, p_memsz) == 40, "elf64_phdr.p_memsz");

#endif
