/* Builders for synthetic multiboot kernels (tests/host/mb_image_builder.h). */
#include <string.h>
#include "hv/elf.h"
#include "hv/multiboot.h"
#include "tests/host/mb_image_builder.h"

const struct tseg k32[3] = {
	{ PT_LOAD, 0x200, 0x100000, 0x100000, 0x300, 0x300 },
	{ 4 /* PT_NOTE */, 0x100, 0, 0, 0x10, 0x10 },
	{ PT_LOAD, 0x500, 0xC0102000, 0x102000, 0x100, 0x1800 },
};

uint8_t pat(uint64_t off)
{
	return (uint8_t)(off * 13 + 7);
}

void put32(uint8_t *b, size_t off, uint32_t v) { memcpy(b + off, &v, 4); }

void put_mb_header(uint8_t *b, size_t off, uint32_t flags)
{
	put32(b, off, MB_HEADER_MAGIC);
	put32(b, off + 4, flags);
	put32(b, off + 8, 0u - MB_HEADER_MAGIC - flags);
}

void put_aout(uint8_t *b, size_t off, uint32_t hdr, uint32_t load, uint32_t load_end,
	      uint32_t bss_end, uint32_t entry)
{
	uint32_t v[5] = { hdr, load, load_end, bss_end, entry };
	memcpy(b + off + 12, v, sizeof(v));
}

size_t build_elf(uint8_t *b, bool is64, uint64_t entry, const struct tseg *s, unsigned n,
		 size_t mb_off, uint32_t mb_flags)
{
	size_t ehsz = is64 ? sizeof(struct elf64_ehdr) : sizeof(struct elf32_ehdr);
	size_t phsz = is64 ? sizeof(struct elf64_phdr) : sizeof(struct elf32_phdr);
	size_t size = ehsz + n * phsz;

	memset(b, 0, IMG_CAP);
	if (is64) {
		struct elf64_ehdr h = { .e_type = ET_EXEC, .e_machine = EM_X86_64, .e_version = 1,
					.e_entry = entry, .e_phoff = ehsz, .e_ehsize = (uint16_t)ehsz,
					.e_phentsize = (uint16_t)phsz, .e_phnum = (uint16_t)n };
		memcpy(h.e_ident, "\x7f" "ELF\x02\x01\x01", 7);
		memcpy(b, &h, sizeof(h));
	} else {
		struct elf32_ehdr h = { .e_type = ET_EXEC, .e_machine = EM_386, .e_version = 1,
					.e_entry = (uint32_t)entry, .e_phoff = (uint32_t)ehsz,
					.e_ehsize = (uint16_t)ehsz, .e_phentsize = (uint16_t)phsz,
					.e_phnum = (uint16_t)n };
		memcpy(h.e_ident, "\x7f" "ELF\x01\x01\x01", 7);
		memcpy(b, &h, sizeof(h));
	}
	for (unsigned i = 0; i < n; i++) {
		if (is64) {
			struct elf64_phdr p = { s[i].type, 5, s[i].offset, s[i].vaddr, s[i].paddr,
						s[i].filesz, s[i].memsz, 4096 };
			memcpy(b + ehsz + i * phsz, &p, sizeof(p));
		} else {
			struct elf32_phdr p = { s[i].type, (uint32_t)s[i].offset, (uint32_t)s[i].vaddr,
						(uint32_t)s[i].paddr, (uint32_t)s[i].filesz,
						(uint32_t)s[i].memsz, 5, 4096 };
			memcpy(b + ehsz + i * phsz, &p, sizeof(p));
		}
		if (s[i].offset <= IMG_CAP && s[i].filesz <= IMG_CAP - s[i].offset) {
			for (uint64_t j = s[i].offset; j < s[i].offset + s[i].filesz; j++)
				b[j] = pat(j);
			size = MAX(size, s[i].offset + s[i].filesz);
		}
	}
	put_mb_header(b, mb_off, mb_flags);
	return MAX(size, mb_off + 12);
}

void aout_image(uint8_t *b, size_t hoff, uint32_t load_end, uint32_t bss_end, size_t *size)
{
	memset(b, 0, IMG_CAP);
	for (size_t i = 0; i < 0x3000; i++)
		b[i] = pat(i);
	put_mb_header(b, hoff, MB_HF_AOUT_KLUDGE | MB_HF_MEMINFO);
	put_aout(b, hoff, 0x200000 + (uint32_t)hoff - 0x1000, 0x200000, load_end, bss_end, 0x200080);
	*size = 0x3000;
}
