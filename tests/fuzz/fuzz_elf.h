/*
 * What a loaded kernel must look like in guest memory, for the loader targets
 * (fuzz_multiboot.c, fuzz_linux_load.c): the PT_LOAD segments of an ELF image the loader
 * accepted, and the check that a range holds its file bytes followed by zeroed bss.
 */
#ifndef TESTS_FUZZ_FUZZ_ELF_H
#define TESTS_FUZZ_FUZZ_ELF_H

#include "hv/elf.h"
#include "hv/multiboot_load.h"
#include "tests/fuzz/fuzz_util.h"

/* A loaded range [start, start + filesz) of file bytes, then zeros up to start + memsz. */
struct loaded {
	uint64_t start, memsz, offset, filesz;
};

static inline void check_loaded(const struct guest_mem *m, const uint8_t *img, size_t size,
				const struct loaded *l)
{
	FUZZ_CHECK(l->memsz && l->start < m->size && l->memsz <= m->size - l->start);
	FUZZ_CHECK(l->filesz <= l->memsz && l->offset <= size && l->filesz <= size - l->offset);
	FUZZ_CHECK(!memcmp(m->base + l->start, img + l->offset, l->filesz));
	static const uint8_t zero[65536];
	for (uint64_t i = l->filesz; i < l->memsz; i += sizeof(zero)) {
		uint64_t n = l->memsz - i < sizeof(zero) ? l->memsz - i : sizeof(zero);
		FUZZ_CHECK(!memcmp(m->base + l->start + i, zero, n));
	}
}

/* The PT_LOAD segments with p_memsz > 0 (the loader accepted the image, so the headers
 * are in bounds). Returns how many. */
static inline unsigned elf_segments(const uint8_t *img, size_t size, struct loaded *out,
				    unsigned max)
{
	unsigned n = 0;
	if (img[EI_CLASS] == ELFCLASS64) {
		struct elf64_ehdr h;
		memcpy(&h, img, sizeof(h));
		for (unsigned i = 0; i < h.e_phnum; i++) {
			struct elf64_phdr p;
			FUZZ_CHECK(h.e_phoff + (uint64_t)(i + 1) * h.e_phentsize <= size);
			memcpy(&p, img + h.e_phoff + (uint64_t)i * h.e_phentsize, sizeof(p));
			if (p.p_type == PT_LOAD && p.p_memsz && n < max)
				out[n++] = (struct loaded){ p.p_paddr, p.p_memsz, p.p_offset, p.p_filesz };
		}
	} else {
		struct elf32_ehdr h;
		memcpy(&h, img, sizeof(h));
		for (unsigned i = 0; i < h.e_phnum; i++) {
			struct elf32_phdr p;
			FUZZ_CHECK(h.e_phoff + (uint64_t)(i + 1) * h.e_phentsize <= size);
			memcpy(&p, img + h.e_phoff + (uint64_t)i * h.e_phentsize, sizeof(p));
			if (p.p_type == PT_LOAD && p.p_memsz && n < max)
				out[n++] = (struct loaded){ p.p_paddr, p.p_memsz, p.p_offset, p.p_filesz };
		}
	}
	return n;
}

#endif
