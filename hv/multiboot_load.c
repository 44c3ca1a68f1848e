/*
 * Multiboot v1 loader (Multiboot Specification 0.6.96): finds the multiboot
 * header, loads the kernel through the a.out-kludge address fields (section
 * 3.1.3) or its ELF program headers (hv/elf_load.c), copies the boot modules
 * and builds the boot information block (section 3.3).
 *
 * The kernel image is untrusted. All arithmetic on values taken from it is
 * done in 64 bits in forms that cannot overflow, and every write into guest
 * memory is preceded by a check that the range lies inside mem.
 */
#include "hv/elf_load.h"
#include "hv/fmt.h"
#include "hv/vlapic.h"
#include "hv/lib.h"
#include "hv/multiboot.h"

/* Header flags (section 3.1.2, bits 0-15) we understand; any other required bit is fatal. */
#define MB_HF_KNOWN_REQUIRED (MB_HF_PAGE_ALIGN | MB_HF_MEMINFO | MB_HF_VIDEO)

/* Legacy PC layout we describe to the guest (section 3.3, mem_lower/mmap). */
#define LOW_MEM_END 0xA0000ull  /* 640 KiB of conventional RAM (= mem_lower); no EBDA in a partition */
#define HIGH_MEM_START MIB(1)
#define LOW_INFO_START 0x1000ull /* page 0 stays free for the guest's own use */
#define LOW_INFO_END 0x9F000ull

/*
 * Section 3.1.1: the header is 4-byte aligned and wholly inside the first
 * 8192 bytes. As GRUB does, a magic whose checksum does not add up is not a
 * header and the search goes on; if no valid one turns up, the first such
 * near miss is what we report. Fields are little-endian, like the host.
 */
static int find_header(const uint8_t *img, size_t size, struct mb_header *hdr, size_t *hoff,
		       char *err, size_t errlen)
{
	size_t window = MIN(size, (size_t)MB_HEADER_SEARCH);
	bool near_miss = false;
	size_t miss_off = 0;

	for (size_t off = 0; window >= MB_HEADER_MAGIC_SIZE && off <= window - MB_HEADER_MAGIC_SIZE;
	     off += MB_HEADER_ALIGN) {
		uint32_t w[3];
		memcpy(w, img + off, sizeof(w));
		if (w[0] != MB_HEADER_MAGIC)
			continue;
		if ((uint32_t)(w[0] + w[1] + w[2]) != 0) {
			if (!near_miss)
				miss_off = off;
			near_miss = true;
			continue;
		}
		/* Copy what the window holds; fields past it read as zero and are checked later. */
		memset(hdr, 0, sizeof(*hdr));
		memcpy(hdr, img + off, MIN(sizeof(*hdr), window - off));
		*hoff = off;
		return 0;
	}
	if (near_miss)
		return loader_fail(err, errlen,
				   "kernel: multiboot header checksum is wrong (magic at offset 0x%zx)",
				   miss_off);
	return loader_fail(err, errlen, "kernel: no multiboot header in the first %u bytes",
			   MB_HEADER_SEARCH);
}

bool multiboot_magic_present(const void *image, size_t image_size)
{
	const uint8_t *img = image;
	size_t window = img ? MIN(image_size, (size_t)MB_HEADER_SEARCH) : 0;
	for (size_t off = 0; window >= 4 && off <= window - 4; off += MB_HEADER_ALIGN) {
		uint32_t w;
		memcpy(&w, img + off, sizeof(w));
		if (w == MB_HEADER_MAGIC)
			return true;
	}
	return false;
}

/*
 * Section 3.1.3, the a.out kludge: the file bytes from offset
 * hoff - (header_addr - load_addr) go to load_addr, up to load_end_addr (0:
 * to the end of the file); [load_end, bss_end_addr) is zeroed (0: no bss).
 */
static int aout_load(struct guest_mem *mem, const uint8_t *img, size_t size,
		     const struct mb_header *h, size_t hoff, struct kernel_layout *k, char *err,
		     size_t errlen)
{
	uint64_t load = h->load_addr, end, load_len;
	char gsize[32];

	if (h->load_addr > h->header_addr)
		return loader_fail(err, errlen, "kernel: a.out kludge load_addr 0x%x is above header_addr 0x%x",
				   h->load_addr, h->header_addr);
	uint64_t delta = (uint64_t)h->header_addr - h->load_addr;
	if (delta > hoff)
		return loader_fail(err, errlen,
				   "kernel: a.out kludge header_addr - load_addr (0x%llx) exceeds the header's file offset 0x%zx",
				   (unsigned long long)delta, hoff);
	uint64_t foff = hoff - delta; /* <= hoff < size */
	if (h->load_end_addr == 0) {
		load_len = size - foff;
	} else {
		if (h->load_end_addr < h->load_addr)
			return loader_fail(err, errlen,
					   "kernel: a.out kludge load_end_addr 0x%x is below load_addr 0x%x",
					   h->load_end_addr, h->load_addr);
		load_len = (uint64_t)h->load_end_addr - h->load_addr;
		if (load_len > size - foff)
			return loader_fail(err, errlen,
					   "kernel: a.out kludge wants 0x%llx bytes from file offset 0x%llx of a %zu-byte image",
					   (unsigned long long)load_len, (unsigned long long)foff, size);
	}
	end = load + load_len; /* < 2^32 + size: no overflow */
	if (h->bss_end_addr) {
		if (h->bss_end_addr < end)
			return loader_fail(err, errlen,
					   "kernel: a.out kludge bss_end_addr 0x%x is below the loaded image's end 0x%llx",
					   h->bss_end_addr, (unsigned long long)end);
		end = h->bss_end_addr;
	}
	if (end == load)
		return loader_fail(err, errlen, "kernel: a.out kludge image is empty");
	if (end > mem->size) {
		loader_fmt_size(gsize, sizeof(gsize), mem->size);
		return loader_fail(err, errlen, "kernel: a.out kludge image [0x%llx, 0x%llx) lies outside the guest's %s",
				   (unsigned long long)load, (unsigned long long)end, gsize);
	}
	if (end > GIB(4))
		return loader_fail(err, errlen, "kernel: a.out kludge image [0x%llx, 0x%llx) extends above 4 GiB",
				   (unsigned long long)load, (unsigned long long)end);
	if (h->entry_addr < load || h->entry_addr >= end)
		return loader_fail(err, errlen,
				   "kernel: a.out kludge entry_addr 0x%x is outside the image [0x%llx, 0x%llx)",
				   h->entry_addr, (unsigned long long)load, (unsigned long long)end);

	memcpy(mem->base + load, img + foff, (size_t)load_len);
	memset(mem->base + load + load_len, 0, (size_t)(end - load - load_len));
	k->entry = h->entry_addr;
	k->start = load;
	k->end = end;
	k->nseg = 1;
	k->seg[0] = (struct gpa_range){ load, end };
	return 0;
}

/* Offsets within the boot info area; see layout_info(). */
struct info_layout {
	uint64_t mmap, mods, strings, size;
};

/*
 * Section 3.3: entry.size excludes the size field itself. RAM that covers the local APIC
 * page (a partition larger than 0xFEE00000) has that page cut out and reported reserved:
 * it is not mapped in the nested page tables (arch/x86/guest_ram_map.c), so accesses
 * reach the virtual APIC (docs/interrupts.md).
 */
unsigned mb_memory_map(uint64_t mem_size, struct mb_mmap_entry map[MB_MMAP_MAX])
{
	const uint64_t apic = VLAPIC_DEFAULT_BASE, apic_end = apic + VLAPIC_PAGE_SIZE;
	unsigned n = 0;
	map[n++] = (struct mb_mmap_entry){ 20, 0, LOW_MEM_END, MB_MMAP_AVAILABLE };
	map[n++] = (struct mb_mmap_entry){ 20, LOW_MEM_END, HIGH_MEM_START - LOW_MEM_END, MB_MMAP_RESERVED };
	map[n++] = (struct mb_mmap_entry){ 20, HIGH_MEM_START, MIN(mem_size, apic) - HIGH_MEM_START,
					   MB_MMAP_AVAILABLE };
	if (mem_size > apic) {
		map[n++] = (struct mb_mmap_entry){ 20, apic, VLAPIC_PAGE_SIZE, MB_MMAP_RESERVED };
		if (mem_size > apic_end)
			map[n++] = (struct mb_mmap_entry){ 20, apic_end, mem_size - apic_end, MB_MMAP_AVAILABLE };
	}
	return n;
}

static bool add_ok(uint64_t *acc, uint64_t v)
{
	if (v > UINT64_MAX - *acc)
		return false;
	*acc += v;
	return true;
}

static const char *str_or_empty(const char *s)
{
	return s ? s : "";
}

/* The info block, then the memory map, the module list and all strings, back to back. */
static bool layout_info(struct info_layout *l, unsigned nmap, const char *cmdline, const char *loader,
			const struct mb_module_img *mods, unsigned nmods)
{
	l->mmap = ALIGN_UP((uint64_t)sizeof(struct mb_info), 8);
	l->mods = l->mmap + nmap * sizeof(struct mb_mmap_entry);
	l->strings = l->mods + (uint64_t)nmods * sizeof(struct mb_module);
	l->size = l->strings;
	bool ok = add_ok(&l->size, strlen(str_or_empty(cmdline)) + 1ull) &&
		  add_ok(&l->size, strlen(str_or_empty(loader)) + 1ull);
	for (unsigned i = 0; ok && i < nmods; i++)
		ok = add_ok(&l->size, strlen(str_or_empty(mods[i].cmdline)) + 1ull);
	return ok;
}

static bool overlaps(uint64_t a, uint64_t a_end, uint64_t b, uint64_t b_end)
{
	return a < b_end && b < a_end;
}

/* Append a NUL-terminated string at *at (inside the info area); return its address. */
static uint32_t put_string(struct guest_mem *mem, uint64_t *at, const char *s)
{
	uint64_t gpa = *at;
	size_t n = strlen(s) + 1;
	memcpy(mem->base + gpa, s, n);
	*at += n;
	return (uint32_t)gpa;
}

int multiboot_load(struct guest_mem *mem, const void *image, size_t image_size, const char *cmdline,
                   const struct mb_module_img *mods, unsigned nmods, const char *loader_name,
                   struct mb_boot_state *out, char *err, size_t errlen)
{
	const uint8_t *img = image;
	struct kernel_layout k;
	struct mb_header h;
	struct info_layout l;
	size_t hoff = 0;
	char sz[32];

	if (!mem || !mem->base || mem->size < MIB(4) || mem->size % MIB(2) || !out || (!img && image_size))
		return loader_fail(err, errlen, "multiboot: invalid arguments");
	if (nmods && !mods)
		return loader_fail(err, errlen, "multiboot: %u modules but no module list", nmods);

	if (find_header(img, image_size, &h, &hoff, err, errlen))
		return -1;
	uint32_t unknown = h.flags & MB_HF_REQUIRED_MASK & ~(uint32_t)MB_HF_KNOWN_REQUIRED;
	if (unknown)
		return loader_fail(err, errlen, "kernel: unsupported multiboot flags 0x%08x (required bits)",
				   unknown);
	if (h.flags & MB_HF_AOUT_KLUDGE) {
		/* Section 3.1.1: the address fields belong to the header, so must be in the window too. */
		if (hoff + MB_HEADER_AOUT_SIZE > MIN(image_size, (size_t)MB_HEADER_SEARCH))
			return loader_fail(err, errlen,
					   "kernel: multiboot header at offset 0x%zx is cut off before its address fields (flag 16)",
					   hoff);
		if (aout_load(mem, img, image_size, &h, hoff, &k, err, errlen))
			return -1;
	} else if (elf_load(mem, img, image_size, &k, err, errlen)) {
		return -1;
	}

	/*
	 * Modules (section 3.3, mods_*): page aligned (header bit 0; we always
	 * do it), one after another above the kernel. First only place them, so
	 * the info area can be chosen knowing where they go.
	 */
	/* Info fields are 32-bit, and mod_end is exclusive: everything ends below 4 GiB - 1. */
	uint64_t limit = MIN(mem->size, GIB(4) - 1);
	uint64_t mods_start = ALIGN_UP(k.end, PAGE_SIZE), cur = mods_start;
	for (unsigned i = 0; i < nmods; i++) {
		if (!mods[i].data && mods[i].size)
			return loader_fail(err, errlen, "module %u has no data", i);
		if (cur > limit || mods[i].size > limit - cur) {
			loader_fmt_size(sz, sizeof(sz), mods[i].size);
			return loader_fail(err, errlen, "module %u (%s) does not fit in guest memory", i, sz);
		}
		cur = ALIGN_UP(cur + mods[i].size, PAGE_SIZE);
	}
	uint64_t mods_end = cur; /* page aligned; == mods_start if there are none */

	/*
	 * The boot info area: below 640K at 0x1000 when nothing loaded overlaps
	 * it (where GRUB-like loaders put it and where kernels expect low data),
	 * else on the first page after the kernel and modules.
	 */
	struct mb_mmap_entry map[MB_MMAP_MAX];
	unsigned nmap = mb_memory_map(mem->size, map);
	if (!layout_info(&l, nmap, cmdline, loader_name, mods, nmods))
		return loader_fail(err, errlen, "multiboot: boot information is too large");
	uint64_t info = LOW_INFO_START;
	bool low = l.size <= LOW_INFO_END - LOW_INFO_START &&
		   !overlaps(info, info + l.size, mods_start, mods_end);
	for (unsigned i = 0; low && i < k.nseg; i++)
		low = !overlaps(info, info + l.size, k.seg[i].start, k.seg[i].end);
	if (!low) {
		info = MAX(mods_end, ALIGN_UP(k.end, PAGE_SIZE));
		if (info > limit || l.size > limit - info) {
			loader_fmt_size(sz, sizeof(sz), l.size);
			return loader_fail(err, errlen,
					   "multiboot: boot information (%s) does not fit in guest memory after the kernel and modules",
					   sz);
		}
	}
	memset(mem->base + info, 0, (size_t)l.size);

	/* Section 3.3: the flags say which fields are valid. No video info (bit 11/12) is given. */
	struct mb_info mbi = { 0 };
	mbi.flags = MB_INFO_MEMORY | MB_INFO_CMDLINE | MB_INFO_MODS | MB_INFO_MEM_MAP |
		    MB_INFO_BOOT_LOADER_NAME;
	mbi.mem_lower = 640;
	/* "maximally the address of the first upper memory hole minus 1 megabyte" (3.3) */
	uint64_t upper = (MIN(mem->size, VLAPIC_DEFAULT_BASE) - HIGH_MEM_START) / KIB(1);
	mbi.mem_upper = upper > UINT32_MAX ? UINT32_MAX : (uint32_t)upper;
	mbi.mmap_addr = (uint32_t)(info + l.mmap);
	mbi.mmap_length = nmap * (uint32_t)sizeof(struct mb_mmap_entry);
	mbi.mods_count = nmods;
	mbi.mods_addr = (uint32_t)(info + l.mods);

	memcpy(mem->base + info + l.mmap, map, nmap * sizeof(struct mb_mmap_entry));

	uint64_t str = info + l.strings;
	mbi.cmdline = put_string(mem, &str, str_or_empty(cmdline));
	mbi.boot_loader_name = put_string(mem, &str, str_or_empty(loader_name));
	cur = mods_start;
	for (unsigned i = 0; i < nmods; i++) {
		struct mb_module m = { 0 };
		m.mod_start = (uint32_t)cur;
		m.mod_end = (uint32_t)(cur + mods[i].size);
		m.string = put_string(mem, &str, str_or_empty(mods[i].cmdline));
		if (mods[i].size)
			memcpy(mem->base + cur, mods[i].data, mods[i].size);
		memcpy(mem->base + info + l.mods + (uint64_t)i * sizeof(m), &m, sizeof(m));
		cur = ALIGN_UP(cur + mods[i].size, PAGE_SIZE);
	}
	memcpy(mem->base + info, &mbi, sizeof(mbi));

	out->entry = (uint32_t)k.entry;
	out->mbi_gpa = (uint32_t)info;
	out->eax = MB_BOOTLOADER_MAGIC;
	out->kernel_start = k.start;
	out->kernel_end = k.end;
	return 0;
}
