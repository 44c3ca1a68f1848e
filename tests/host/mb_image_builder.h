/* Synthetic multiboot v1 kernels for the loader tests: ELF32, ELF64 and a.out-kludge images. */
#ifndef TESTS_HOST_MB_IMAGE_BUILDER_H
#define TESTS_HOST_MB_IMAGE_BUILDER_H

#include <stddef.h>
#include <stdint.h>
#include "hv/types.h"

#define IMG_CAP 0x10000 /* size of every image buffer */

/* One program header; its file bytes are filled with pat(). */
struct tseg {
	uint32_t type;
	uint64_t offset, vaddr, paddr, filesz, memsz;
};

/* The reference kernel: text at 1 MiB, data+bss linked higher-half at 0xC0102000. */
extern const struct tseg k32[3];

/* The byte an image holds at file offset off (segment contents, a.out text). */
uint8_t pat(uint64_t off);
void put32(uint8_t *b, size_t off, uint32_t v);
/* Magic, flags and a matching checksum at off. */
void put_mb_header(uint8_t *b, size_t off, uint32_t flags);
/* a.out kludge fields right after the magic fields at off. */
void put_aout(uint8_t *b, size_t off, uint32_t hdr, uint32_t load, uint32_t load_end,
	      uint32_t bss_end, uint32_t entry);
/* Lay out an ELF executable into b (zeroed, IMG_CAP bytes); returns the file size. */
size_t build_elf(uint8_t *b, bool is64, uint64_t entry, const struct tseg *s, unsigned n,
		 size_t mb_off, uint32_t mb_flags);
/* A 0x3000-byte a.out kludge image into b (IMG_CAP bytes), header at hoff: text from file
 * offset 0x1000 loaded at 0x200000, entry 0x200080. */
void aout_image(uint8_t *b, size_t hoff, uint32_t load_end, uint32_t bss_end, size_t *size);

#endif
