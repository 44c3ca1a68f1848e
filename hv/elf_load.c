/*
 * ELF program-header loading for multiboot kernels (Multiboot Specification
 * 0.6.96, section 3.1.3: with header flag 16 clear the loader takes the
 * load addresses from the ELF program headers).
 *
 * The image is untrusted: every offset, size and address in it is checked in
 * 64-bit arithmetic written so it cannot overflow (compare "x > limit - y",
 * never "x + y > limit"), and nothing is written to guest memory until the
 * whole image has been validated. The image may be at any alignment, so
 * headers are memcpy()d into local structures before their fields are read.
 */
#include <stdarg.h>
#include "hv/elf.h"
#include "hv/elf_load.h"
#include "hv/fmt.h"
#include "hv/lib.h"

int loader_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	if (err && errlen) {
		va_start(ap, fmt);
		hv_vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

void loader_fmt_size(char *buf, size_t len, uint64_t bytes)
{
	if (bytes && bytes % MIB(1) == 0)
		hv_snprintf(buf, len, "%llu MiB", (unsigned long long)(bytes >> 20));
	else if (bytes && bytes % KIB(1) == 0)
		hv_snprintf(buf, len, "%llu KiB", (unsigned long long)(bytes >> 10));
	else
		hv_snprintf(buf, len, "%llu bytes", (unsigned long long)bytes);
}

/* Copy n bytes at image offset off into dst, if they are all inside the image. */
static bool read_image(const uint8_t *img, size_t size, uint64_t off, void *dst, size_t n)
{
	if (off > size || n > size - off)
		return false;
	memcpy(dst, img + off, n);
	return true;
}

/* The fields of one program header, widened to 64 bits whatever the class. */
struct seg {
	unsigned index; /* in the program header table, for messages */
	uint32_t type;
	uint64_t offset, vaddr, paddr, filesz, memsz;
};

/* The file header fields we use, widened likewise. */
struct ehdr {
	bool is64;
	uint16_t type, machine, phentsize, phnum;
	uint64_t entry, phoff;
};

static int read_ehdr(const uint8_t *img, size_t size, struct ehdr *eh, char *err, size_t errlen)
{
	uint8_t ident[EI_NIDENT];

	if (!read_image(img, size, 0, ident, sizeof(ident)) || memcmp(ident, "\x7f" "ELF", 4))
		return loader_fail(err, errlen,
				   "kernel: not an ELF file (and multiboot header flag 16, the a.out kludge, is clear)");
	if (ident[EI_DATA] != ELFDATA2LSB)
		return loader_fail(err, errlen, "kernel: ELF data encoding %u is not little-endian",
				   ident[EI_DATA]);
	if (ident[EI_CLASS] == ELFCLASS32) {
		struct elf32_ehdr h;
		if (!read_image(img, size, 0, &h, sizeof(h)))
			return loader_fail(err, errlen, "kernel: truncated ELF32 header");
		*eh = (struct ehdr){ false, h.e_type, h.e_machine, h.e_phentsize, h.e_phnum,
				     h.e_entry, h.e_phoff };
		if (eh->machine != EM_386)
			return loader_fail(err, errlen, "kernel: ELF32 machine %u is not EM_386 (%u)",
					   eh->machine, EM_386);
	} else if (ident[EI_CLASS] == ELFCLASS64) {
		struct elf64_ehdr h;
		if (!read_image(img, size, 0, &h, sizeof(h)))
			return loader_fail(err, errlen, "kernel: truncated ELF64 header");
		*eh = (struct ehdr){ true, h.e_type, h.e_machine, h.e_phentsize, h.e_phnum,
				     h.e_entry, h.e_phoff };
		if (eh->machine != EM_X86_64)
			return loader_fail(err, errlen, "kernel: ELF64 machine %u is not EM_X86_64 (%u)",
					   eh->machine, EM_X86_64);
	} else {
		return loader_fail(err, errlen, "kernel: unknown ELF class %u", ident[EI_CLASS]);
	}
	if (eh->type != ET_EXEC)
		return loader_fail(err, errlen, "kernel: ELF type %u is not ET_EXEC (%u)", eh->type,
				   ET_EXEC);
	if (eh->phnum == 0)
		return loader_fail(err, errlen, "kernel: ELF file has no program headers");
	/* A larger e_phentsize is allowed (future extensions); a smaller one cannot hold a phdr. */
	size_t need = eh->is64 ? sizeof(struct elf64_phdr) : sizeof(struct elf32_phdr);
	if (eh->phentsize < need)
		return loader_fail(err, errlen, "kernel: ELF program header size %u is below %zu",
				   eh->phentsize, need);
	/* At most 65535 * 65535 bytes: the product cannot overflow 64 bits. */
	uint64_t table = (uint64_t)eh->phnum * eh->phentsize;
	if (eh->phoff > size || table > size - eh->phoff)
		return loader_fail(err, errlen, "kernel: truncated program header table");
	return 0;
}

/* Program header i; the table was bounds-checked as a whole by read_ehdr(). */
static void read_phdr(const uint8_t *img, size_t size, const struct ehdr *eh, unsigned i,
		      struct seg *s)
{
	uint64_t off = eh->phoff + (uint64_t)i * eh->phentsize;

	if (eh->is64) {
		struct elf64_phdr p;
		read_image(img, size, off, &p, sizeof(p));
		*s = (struct seg){ i, p.p_type, p.p_offset, p.p_vaddr, p.p_paddr, p.p_filesz, p.p_memsz };
	} else {
		struct elf32_phdr p;
		read_image(img, size, off, &p, sizeof(p));
		*s = (struct seg){ i, p.p_type, p.p_offset, p.p_vaddr, p.p_paddr, p.p_filesz, p.p_memsz };
	}
}

/*
 * "segment 2 [0x100000, 0x4100000)". The end is computed in 64 bits, so a
 * 32-bit paddr + memsz that would wrap shows its true end; a 64-bit sum that
 * would itself wrap is shown as start + size instead.
 */
static void fmt_seg(char *buf, size_t len, const struct seg *s)
{
	if (s->memsz > UINT64_MAX - s->paddr)
		hv_snprintf(buf, len, "segment %u [0x%llx, +0x%llx)", s->index,
			    (unsigned long long)s->paddr, (unsigned long long)s->memsz);
	else
		hv_snprintf(buf, len, "segment %u [0x%llx, 0x%llx)", s->index,
			    (unsigned long long)s->paddr, (unsigned long long)(s->paddr + s->memsz));
}

/* Check one PT_LOAD segment with p_memsz > 0 against the image and guest memory. */
static int check_seg(const struct guest_mem *mem, size_t size, const struct seg *s, char *err,
		     size_t errlen)
{
	char what[80], gsize[32];

	fmt_seg(what, sizeof(what), s);
	if (s->filesz > size || s->offset > size - s->filesz)
		return loader_fail(err, errlen,
				   "kernel: %s: file bytes [0x%llx, +0x%llx) lie outside the %zu-byte image",
				   what, (unsigned long long)s->offset, (unsigned long long)s->filesz,
				   size);
	if (s->paddr >= mem->size || s->memsz > mem->size - s->paddr) {
		loader_fmt_size(gsize, sizeof(gsize), mem->size);
		return loader_fail(err, errlen, "kernel: %s lies outside the guest's %s", what, gsize);
	}
	/* The kernel starts with paging off (section 3.2), so it can only reach the low 4 GiB. */
	if (s->paddr + s->memsz > GIB(4))
		return loader_fail(err, errlen, "kernel: %s extends above 4 GiB", what);
	return 0;
}

/* Validate every program header, collecting the loadable ones into segs[]. */
static int collect_segs(struct guest_mem *mem, const uint8_t *img, size_t size,
			const struct ehdr *eh, struct seg *segs, unsigned *nsegs, char *err,
			size_t errlen)
{
	unsigned n = 0;

	for (unsigned i = 0; i < eh->phnum; i++) {
		struct seg s;
		read_phdr(img, size, eh, i, &s);
		if (s.type != PT_LOAD)
			continue;
		if (s.filesz > s.memsz)
			return loader_fail(err, errlen,
					   "kernel: segment %u has p_filesz 0x%llx > p_memsz 0x%llx", i,
					   (unsigned long long)s.filesz, (unsigned long long)s.memsz);
		if (s.memsz == 0)
			continue; /* occupies no memory: nothing to load */
		if (check_seg(mem, size, &s, err, errlen))
			return -1;
		if (n == KERNEL_MAX_SEGS)
			return loader_fail(err, errlen, "kernel: more than %u loadable segments",
					   KERNEL_MAX_SEGS);
		/* Overlapping segments would make the result depend on copy order. */
		for (unsigned j = 0; j < n; j++) {
			const struct seg *o = &segs[j];
			if (s.paddr < o->paddr + o->memsz && o->paddr < s.paddr + s.memsz) {
				char a[80], b[80];
				fmt_seg(a, sizeof(a), o);
				fmt_seg(b, sizeof(b), &s);
				return loader_fail(err, errlen, "kernel: %s and %s overlap", a, b);
			}
		}
		segs[n++] = s;
	}
	if (n == 0)
		return loader_fail(err, errlen, "kernel: ELF file has no loadable segments");
	*nsegs = n;
	return 0;
}

/*
 * The physical entry point. Like GRUB, if e_entry falls in a segment's
 * virtual range it is translated through that segment's vaddr -> paddr
 * offset: a higher-half kernel links e_entry at its virtual address but is
 * entered with paging off. It must then lie in a loaded segment, below 4 GiB.
 */
static int find_entry(const struct ehdr *eh, const struct seg *segs, unsigned n, uint64_t *entry,
		      char *err, size_t errlen)
{
	uint64_t e = eh->entry;

	for (unsigned i = 0; i < n; i++) {
		if (e >= segs[i].vaddr && e - segs[i].vaddr < segs[i].memsz) {
			/* <= paddr + memsz, which check_seg() bounded by the guest size. */
			e = e - segs[i].vaddr + segs[i].paddr;
			break;
		}
	}
	if (e >= GIB(4))
		return loader_fail(err, errlen, "kernel: %s entry 0x%llx is above 4 GiB",
				   eh->is64 ? "ELF64" : "ELF32", (unsigned long long)e);
	for (unsigned i = 0; i < n; i++) {
		if (e >= segs[i].paddr && e - segs[i].paddr < segs[i].memsz) {
			*entry = e;
			return 0;
		}
	}
	return loader_fail(err, errlen, "kernel: entry point 0x%llx is not inside any loaded segment",
			   (unsigned long long)e);
}

int elf_load(struct guest_mem *mem, const void *image, size_t image_size,
	     struct kernel_layout *out, char *err, size_t errlen)
{
	const uint8_t *img = image;
	struct seg segs[KERNEL_MAX_SEGS];
	struct ehdr eh = { 0 };
	unsigned n = 0;
	uint64_t entry = 0;

	if (read_ehdr(img, image_size, &eh, err, errlen) ||
	    collect_segs(mem, img, image_size, &eh, segs, &n, err, errlen) ||
	    find_entry(&eh, segs, n, &entry, err, errlen))
		return -1;

	/* Everything is validated: each [paddr, paddr + memsz) is inside mem. */
	out->entry = entry;
	out->start = UINT64_MAX;
	out->end = 0;
	out->nseg = n;
	for (unsigned i = 0; i < n; i++) {
		const struct seg *s = &segs[i];
		uint8_t *dst = mem->base + s->paddr;
		memcpy(dst, img + s->offset, (size_t)s->filesz);
		memset(dst + s->filesz, 0, (size_t)(s->memsz - s->filesz)); /* bss */
		out->seg[i] = (struct gpa_range){ s->paddr, s->paddr + s->memsz };
		out->start = MIN(out->start, s->paddr);
		out->end = MAX(out->end, s->paddr + s->memsz);
	}
	return 0;
}
