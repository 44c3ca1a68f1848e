/*
 * libFuzzer target: the multiboot v1 loader (hv/multiboot_load.c, hv/elf_load.c) with an
 * untrusted kernel image, into a small guest memory.
 * Input: 4 control bytes, then the kernel image.
 *   c[0] bits 0-1: modules (0-3); bit 2: set the checksum of the first header magic in
 *        the search window right, so the loaders proper get exercised; bits 3-4: guest
 *        memory 4, 6, 8 or 16 MiB; bit 5: no command line (NULL); bit 6: no loader name.
 *   c[1..3]: module i has c[1+i] * 67 bytes (a pattern) and the command line "mod=i".
 * Guest memory lies between PROT_NONE guard regions (tests/fuzz/fuzz_guest_mem.h), so any
 * write outside it is a crash.
 * Properties (hv/multiboot_load.h, Multiboot 0.6.96 section 3.3):
 * - only image[0..size) is read (exact-size heap copy under ASan), nothing outside
 *   guest memory is written;
 * - a failure is one printable line; the same input fails (or loads) the same way again;
 * - a success: EAX magic, entry inside a loaded segment, every PT_LOAD segment (or the
 *   a.out kludge's text) holds its file bytes followed by zeroed bss, all inside memory;
 *   the boot information (flags, mem_lower/upper, memory map = mb_memory_map, command
 *   line, loader name, module list) is in memory above page 0 and says what was given;
 *   each module is page-aligned, after the kernel, intact, and nothing overlaps it or
 *   the kernel's segments (their contents would have been overwritten).
 */
#define _DEFAULT_SOURCE
#include "hv/multiboot_load.h"
#include "hv/vlapic.h"
#include "tests/fuzz/fuzz_elf.h"
#include "tests/fuzz/fuzz_guest_mem.h"

/* The first 4-aligned magic with a right checksum in the first 8 KiB (section 3.1.1). */
static bool find_header(const uint8_t *img, size_t size, struct mb_header *h, size_t *hoff)
{
	size_t window = size < MB_HEADER_SEARCH ? size : MB_HEADER_SEARCH;
	for (size_t off = 0; off + 12 <= window; off += 4) {
		uint32_t w[3];
		memcpy(w, img + off, 12);
		if (w[0] == MB_HEADER_MAGIC && w[0] + w[1] + w[2] == 0) {
			memset(h, 0, sizeof(*h));
			memcpy(h, img + off, window - off < sizeof(*h) ? window - off : sizeof(*h));
			*hoff = off;
			return true;
		}
	}
	return false;
}

static const char *string_at(const struct guest_mem *m, uint32_t gpa)
{
	FUZZ_CHECK(gpa >= 0x1000 && gpa < m->size);
	FUZZ_CHECK(memchr(m->base + gpa, 0, m->size - gpa) != NULL);
	return (const char *)m->base + gpa;
}

static bool overlaps(uint64_t a, uint64_t a_end, uint64_t b, uint64_t b_end)
{
	return a < b_end && b < a_end;
}

static void check_success(const struct guest_mem *m, const uint8_t *img, size_t size,
			  const struct mb_boot_state *st, const char *cmdline, const char *loader,
			  const struct mb_module_img *mods, unsigned nmods)
{
	struct loaded segs[64];
	unsigned nseg;
	struct mb_header h;
	size_t hoff = 0;
	FUZZ_CHECK(find_header(img, size, &h, &hoff));
	if (h.flags & MB_HF_AOUT_KLUDGE) {
		uint64_t foff = hoff - ((uint64_t)h.header_addr - h.load_addr);
		uint64_t len = h.load_end_addr ? (uint64_t)h.load_end_addr - h.load_addr : size - foff;
		uint64_t end = h.bss_end_addr ? h.bss_end_addr : h.load_addr + len;
		segs[0] = (struct loaded){ h.load_addr, end - h.load_addr, foff, len };
		nseg = 1;
	} else {
		FUZZ_CHECK(size >= 64 && !memcmp(img, "\x7f" "ELF", 4));
		nseg = elf_segments(img, size, segs, 64);
	}
	FUZZ_CHECK(nseg >= 1 && nseg <= 32);

	FUZZ_CHECK(st->eax == MB_BOOTLOADER_MAGIC);
	uint64_t lo = UINT64_MAX, hi = 0;
	bool entry_in = false;
	for (unsigned i = 0; i < nseg; i++) {
		check_loaded(m, img, size, &segs[i]);
		lo = segs[i].start < lo ? segs[i].start : lo;
		hi = segs[i].start + segs[i].memsz > hi ? segs[i].start + segs[i].memsz : hi;
		entry_in |= st->entry >= segs[i].start && st->entry - segs[i].start < segs[i].memsz;
	}
	FUZZ_CHECK(st->kernel_start == lo && st->kernel_end == hi && entry_in);

	struct mb_info mbi;
	FUZZ_CHECK(st->mbi_gpa >= 0x1000 && st->mbi_gpa <= m->size - sizeof(mbi));
	memcpy(&mbi, m->base + st->mbi_gpa, sizeof(mbi));
	FUZZ_CHECK(mbi.flags == (MB_INFO_MEMORY | MB_INFO_CMDLINE | MB_INFO_MODS | MB_INFO_MEM_MAP |
				 MB_INFO_BOOT_LOADER_NAME));
	FUZZ_CHECK(mbi.mem_lower == 640);
	uint64_t top = m->size < VLAPIC_DEFAULT_BASE ? m->size : VLAPIC_DEFAULT_BASE;
	FUZZ_CHECK(mbi.mem_upper == (top - MIB(1)) / 1024);
	struct mb_mmap_entry map[MB_MMAP_MAX];
	unsigned nmap = mb_memory_map(m->size, map);
	FUZZ_CHECK(mbi.mmap_length == nmap * sizeof(map[0]));
	FUZZ_CHECK(mbi.mmap_addr >= 0x1000 && mbi.mmap_addr <= m->size - mbi.mmap_length);
	FUZZ_CHECK(!memcmp(m->base + mbi.mmap_addr, map, mbi.mmap_length));
	FUZZ_CHECK(!strcmp(string_at(m, mbi.cmdline), cmdline ? cmdline : ""));
	FUZZ_CHECK(!strcmp(string_at(m, mbi.boot_loader_name), loader ? loader : ""));
	FUZZ_CHECK(mbi.mods_count == nmods);
	FUZZ_CHECK(mbi.mods_addr >= 0x1000 && mbi.mods_addr <= m->size - 16ull * nmods);
	uint64_t prev_end = st->kernel_end;
	for (unsigned i = 0; i < nmods; i++) {
		struct mb_module mod;
		memcpy(&mod, m->base + mbi.mods_addr + 16ull * i, sizeof(mod));
		FUZZ_CHECK(mod.mod_start % 4096 == 0 && mod.mod_start >= prev_end);
		FUZZ_CHECK(mod.mod_end >= mod.mod_start && mod.mod_end - mod.mod_start == mods[i].size);
		FUZZ_CHECK(mod.mod_end <= m->size);
		FUZZ_CHECK(!memcmp(m->base + mod.mod_start, mods[i].data, mods[i].size));
		FUZZ_CHECK(!strcmp(string_at(m, mod.string), mods[i].cmdline));
		/* The boot information is not inside a module. */
		FUZZ_CHECK(!overlaps(st->mbi_gpa, st->mbi_gpa + sizeof(mbi), mod.mod_start, mod.mod_end));
		prev_end = mod.mod_end;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t pattern[3 * 255 * 67];
	static const char *const mod_cmd[3] = { "mod=0", "mod=1", "mod=2" };
	if (size < 4)
		return 0;
	if (!pattern[1])
		for (size_t i = 0; i < sizeof(pattern); i++)
			pattern[i] = (uint8_t)(i * 131 + 7);
	const uint8_t *c = data;
	size_t n = size - 4;
	uint8_t *img = fuzz_copy(data + 4, n);
	if (c[0] & 4) {
		for (size_t off = 0; off + 12 <= n && off + 12 <= MB_HEADER_SEARCH; off += 4) {
			uint32_t w[3];
			memcpy(w, img + off, 12);
			if (w[0] == MB_HEADER_MAGIC) {
				w[2] = 0u - w[0] - w[1];
				memcpy(img + off + 8, &w[2], 4);
				break;
			}
		}
	}
	unsigned nmods = c[0] & 3;
	struct mb_module_img mods[3];
	size_t at = 0;
	for (unsigned i = 0; i < nmods; i++) {
		mods[i] = (struct mb_module_img){ pattern + at, c[1 + i] * 67u, mod_cmd[i] };
		at += mods[i].size;
	}
	static const uint64_t sizes[FUZZ_MEM_SIZES] = { MIB(4), MIB(6), MIB(8), MIB(16) };
	struct guest_mem *m = fuzz_guest_mem(sizes, (c[0] >> 3) & 3);
	const char *cmdline = c[0] & 32 ? NULL : "console=com1 root=/dev/ram0";
	const char *loader = c[0] & 64 ? NULL : "hv";

	struct mb_boot_state st, st2;
	char err[256], err2[256];
	memset(&st, 0, sizeof(st));
	memset(&st2, 0, sizeof(st2));
	err[0] = err2[0] = 0;
	int rc = multiboot_load(m, img, n, cmdline, mods, nmods, loader, &st, err, sizeof(err));
	FUZZ_CHECK(rc == 0 || rc == -1);
	if (fuzz_verbose())
		fprintf(stderr, "multiboot: %s (entry 0x%x, kernel [0x%llx, 0x%llx), info 0x%x, %u modules)\n",
			rc ? err : "loaded", st.entry, (unsigned long long)st.kernel_start,
			(unsigned long long)st.kernel_end, st.mbi_gpa, nmods);
	if (rc == 0)
		check_success(m, img, n, &st, cmdline, loader, mods, nmods);
	else
		FUZZ_CHECK(err[0] && fuzz_printable_line(err, sizeof(err)));
	/* Again over what the first load left behind: the same outcome. */
	int rc2 = multiboot_load(m, img, n, cmdline, mods, nmods, loader, &st2, err2, sizeof(err2));
	FUZZ_CHECK(rc2 == rc && !strcmp(err, err2) && !memcmp(&st, &st2, sizeof(st)));
	free(img);
	return 0;
}
