/*
 * libFuzzer target: the Linux loader (hv/linux_load.c, linux_bzimage.c, linux_vmlinux.c,
 * linux_entry.c, linux_e820.c) with an untrusted bzImage or vmlinux, into a small guest
 * memory between PROT_NONE guard regions (tests/fuzz/fuzz_guest_mem.h).
 * Input: 4 control bytes, then the kernel image.
 *   c[0] bit 0: an initrd of c[1] * 4099 + c[2] bytes (a pattern); bits 1-2: guest memory
 *        4, 8, 16 or 32 MiB; bit 3: tsc_khz = 2500000; bits 4-5: cmdline NULL, "",
 *        "console=ttyS0 earlyprintk=serial" or "quiet tsc_early_khz=1000"; bit 6:
 *        acpi_rsdp = 0xE0000; bit 7: two modules (refused: a kernel takes one initrd).
 * Properties (hv/linux_load.h; Documentation/arch/x86/boot.rst, zero-page.rst):
 * - only image[0..size) is read, nothing outside guest memory is written;
 * - a failure is one printable line; the same input gives the same outcome again;
 * - a success, read back from guest memory after everything was written (so nothing the
 *   loader placed overwrote anything else): a bzImage's protected-mode code at
 *   pref_address with the 64-bit entry at +0x200 and its init_size window in usable RAM,
 *   or a vmlinux's PT_LOAD segments with their bss, 2 MiB aligned above 1 MiB; the
 *   zero page with the image's setup header, the loader's fields, the e820 table and
 *   acpi_rsdp_addr; the command line (+ tsc_early_khz= unless given) at 0x9000; the
 *   initrd intact, page aligned, above 1 MiB, below 2 GiB and initrd_addr_max, outside the
 *   kernel's window; a GDT whose 0x10 is 64-bit code and 0x18 data; page tables from CR3
 *   that map the entry, the zero page, the command line, the kernel and the initrd 1:1.
 */
#define _DEFAULT_SOURCE
#include "hv/linux_load.h"
#include "tests/fuzz/fuzz_elf.h"
#include "tests/fuzz/fuzz_guest_mem.h"

#define TSC_KHZ 2500000ull
#define RSDP 0xE0000ull

static uint8_t initrd_data[255 * 4099 + 255];

static uint64_t get64(const struct guest_mem *m, uint64_t gpa)
{
	uint64_t v;
	FUZZ_CHECK(gpa <= m->size - 8);
	memcpy(&v, m->base + gpa, 8);
	return v;
}

/* SDM vol. 3A 4.5: the 4-level walk from CR3 must give va back, through a 2 MiB page. */
static void check_identity(const struct guest_mem *m, uint64_t cr3, uint64_t va)
{
	uint64_t e = get64(m, cr3 + ((va >> 39) & 511) * 8);
	FUZZ_CHECK(e & 1);
	e = get64(m, (e & ~0xfffull & ((1ull << 52) - 1)) + ((va >> 30) & 511) * 8);
	FUZZ_CHECK((e & 1) && !(e & 0x80));
	e = get64(m, (e & ~0xfffull & ((1ull << 52) - 1)) + ((va >> 21) & 511) * 8);
	FUZZ_CHECK((e & 1) && (e & 2) && (e & 0x80));
	FUZZ_CHECK(((e & ~0x1fffffull & ((1ull << 52) - 1)) | (va & 0x1fffff)) == va);
}

static bool has_word(const char *s, const char *key)
{
	for (const char *p = s; *p; p++)
		if ((p == s || p[-1] == ' ' || p[-1] == '\t') && !strncmp(p, key, strlen(key)))
			return true;
	return false;
}

static bool overlaps(uint64_t a, uint64_t a_end, uint64_t b, uint64_t b_end)
{
	return a < b_end && b < a_end;
}

static void check_success(const struct guest_mem *m, const uint8_t *img, size_t size,
			  const struct linux_load_args *a, const struct mb_boot_state *st)
{
	const struct linux_boot_params *bp =
		(const struct linux_boot_params *)(m->base + LINUX_ZERO_PAGE_GPA);
	uint64_t top = m->size < LINUX_IOAPIC_BASE ? m->size : LINUX_IOAPIC_BASE;
	FUZZ_CHECK(st->long_mode && st->rsi == LINUX_ZERO_PAGE_GPA && st->cr3 == LINUX_PML4_GPA);
	FUZZ_CHECK(st->gdt_base == LINUX_GDT_GPA && st->gdt_limit == LINUX_GDT_LIMIT);
	FUZZ_CHECK(st->kernel_start >= MIB(1) && st->kernel_start < st->kernel_end &&
		   st->kernel_end <= top);
	FUZZ_CHECK(st->entry >= st->kernel_start && st->entry < st->kernel_end);
	FUZZ_CHECK(bp->hdr.code32_start == st->kernel_start);

	if (kernel_kind(img, size) == KERNEL_LINUX_BZIMAGE) {
		struct linux_setup_header h;
		memcpy(&h, img + LINUX_SETUP_HDR_OFFSET, sizeof(h));
		uint64_t pm_off = ((uint64_t)(h.setup_sects ? h.setup_sects : 4) + 1) * 512;
		uint64_t sys = (uint64_t)h.syssize * 16, len = size - pm_off < sys ? size - pm_off : sys;
		FUZZ_CHECK(st->kernel_start == h.pref_address && st->entry == h.pref_address + 0x200);
		FUZZ_CHECK(st->kernel_end == h.pref_address + h.init_size && len <= h.init_size);
		FUZZ_CHECK(!memcmp(m->base + h.pref_address, img + pm_off, len));
		/* The image's header, as far as it goes, with the loader's own fields. */
		FUZZ_CHECK(bp->hdr.version == h.version && bp->hdr.init_size == h.init_size &&
			   bp->hdr.xloadflags == h.xloadflags && bp->hdr.setup_sects == h.setup_sects);
	} else {
		struct loaded segs[64];
		unsigned n = elf_segments(img, size, segs, 64);
		bool entry_in = false;
		uint64_t lo = UINT64_MAX, hi = 0;
		for (unsigned i = 0; i < n; i++) {
			check_loaded(m, img, size, &segs[i]);
			entry_in |= st->entry >= segs[i].start && st->entry - segs[i].start < segs[i].memsz;
			lo = segs[i].start < lo ? segs[i].start : lo;
			hi = segs[i].start + segs[i].memsz > hi ? segs[i].start + segs[i].memsz : hi;
		}
		FUZZ_CHECK(n >= 1 && entry_in && st->kernel_start == lo && st->kernel_end == hi);
		FUZZ_CHECK(lo % MIB(2) == 0);
		FUZZ_CHECK(bp->hdr.header == LINUX_HDRS_MAGIC && bp->hdr.pref_address == lo &&
			   bp->hdr.init_size == hi - lo);
	}

	/* Zero page: what the loader writes (boot.rst "write" fields). */
	FUZZ_CHECK(bp->hdr.type_of_loader == LINUX_TYPE_OF_LOADER_UNDEF);
	FUZZ_CHECK(bp->hdr.cmd_line_ptr == LINUX_CMDLINE_GPA && bp->hdr.setup_data == 0);
	FUZZ_CHECK(bp->acpi_rsdp_addr == a->acpi_rsdp && bp->sentinel == 0);
	struct linux_e820_entry map[LINUX_E820_MAX];
	unsigned nmap = linux_e820_table(m->size, map);
	FUZZ_CHECK(bp->e820_entries == nmap && !memcmp(bp->e820_table, map, nmap * sizeof(map[0])));

	/* Command line. */
	char want[LINUX_CMDLINE_MAX + 64];
	const char *cfg = a->cmdline ? a->cmdline : "";
	if (a->tsc_khz && !has_word(cfg, "tsc_early_khz="))
		snprintf(want, sizeof(want), "%s%stsc_early_khz=%llu", cfg, cfg[0] ? " " : "",
			 (unsigned long long)a->tsc_khz);
	else
		snprintf(want, sizeof(want), "%s", cfg);
	FUZZ_CHECK(memchr(m->base + LINUX_CMDLINE_GPA, 0, PAGE_SIZE) != NULL);
	FUZZ_CHECK(!strcmp((const char *)m->base + LINUX_CMDLINE_GPA, want));

	/* The initrd. */
	uint64_t rd = bp->hdr.ramdisk_image, rd_size = bp->hdr.ramdisk_size;
	if (a->nmods && a->mods[0].size) {
		uint64_t max_end = (uint64_t)bp->hdr.initrd_addr_max + 1;
		FUZZ_CHECK(rd_size == a->mods[0].size && rd % PAGE_SIZE == 0 && rd >= MIB(1));
		FUZZ_CHECK(rd + rd_size <= top && rd + rd_size <= GIB(2) && rd + rd_size <= max_end);
		FUZZ_CHECK(!overlaps(rd, rd + rd_size, st->kernel_start, st->kernel_end));
		FUZZ_CHECK(!memcmp(m->base + rd, a->mods[0].data, rd_size));
	} else {
		FUZZ_CHECK(rd == 0 && rd_size == 0);
	}

	/* GDT (SDM vol. 3A 3.4.5): 0x10 present 64-bit code (L set, D clear), 0x18 present
	 * writable data. */
	uint64_t cs = get64(m, LINUX_GDT_GPA + LINUX_BOOT_CS), ds = get64(m, LINUX_GDT_GPA + LINUX_BOOT_DS);
	FUZZ_CHECK((cs >> 47 & 1) && (cs >> 44 & 1) && (cs >> 43 & 1) && (cs >> 53 & 1) &&
		   !(cs >> 54 & 1));
	FUZZ_CHECK((ds >> 47 & 1) && (ds >> 44 & 1) && !(ds >> 43 & 1) && (ds >> 41 & 1));

	/* Identity map of everything the kernel needs at its 64-bit entry. */
	const uint64_t must[] = { st->entry, LINUX_ZERO_PAGE_GPA, LINUX_CMDLINE_GPA,
				  st->kernel_start, st->kernel_end - 1, m->size - 1 };
	for (size_t i = 0; i < sizeof(must) / sizeof(must[0]); i++)
		check_identity(m, st->cr3, must[i]);
	if (rd_size)
		check_identity(m, st->cr3, rd + rd_size - 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t sizes[FUZZ_MEM_SIZES] = { MIB(4), MIB(8), MIB(16), MIB(32) };
	static const char *const cmdlines[4] = { NULL, "", "console=ttyS0 earlyprintk=serial",
						 "quiet tsc_early_khz=1000" };
	if (size < 4)
		return 0;
	if (!initrd_data[1])
		for (size_t i = 0; i < sizeof(initrd_data); i++)
			initrd_data[i] = (uint8_t)(i * 193 + 11);
	const uint8_t *c = data;
	size_t n = size - 4;
	uint8_t *img = fuzz_copy(data + 4, n);
	struct mb_module_img mods[2] = {
		{ initrd_data, (size_t)c[1] * 4099 + c[2], "initrd" },
		{ initrd_data, 16, "second" },
	};
	struct linux_load_args a = {
		.cmdline = cmdlines[(c[0] >> 4) & 3],
		.mods = mods,
		.nmods = c[0] & 128 ? 2 : c[0] & 1,
		.tsc_khz = c[0] & 8 ? TSC_KHZ : 0,
		.acpi_rsdp = c[0] & 64 ? RSDP : 0,
	};
	struct guest_mem *m = fuzz_guest_mem(sizes, (c[0] >> 1) & 3);

	struct mb_boot_state st, st2;
	char err[256], err2[256];
	memset(&st, 0, sizeof(st));
	memset(&st2, 0, sizeof(st2));
	err[0] = err2[0] = 0;
	int rc = linux_load(m, img, n, &a, &st, err, sizeof(err));
	if (fuzz_verbose())
		fprintf(stderr, "linux_load: %s (kind %d, entry 0x%x, kernel [0x%llx, 0x%llx))\n",
			rc ? err : "loaded", (int)kernel_kind(img, n), st.entry,
			(unsigned long long)st.kernel_start, (unsigned long long)st.kernel_end);
	FUZZ_CHECK(rc == 0 || rc == -1);
	if (rc == 0) {
		FUZZ_CHECK(a.nmods <= 1);
		check_success(m, img, n, &a, &st);
	} else {
		FUZZ_CHECK(err[0] && fuzz_printable_line(err, sizeof(err)));
	}
	int rc2 = linux_load(m, img, n, &a, &st2, err2, sizeof(err2));
	FUZZ_CHECK(rc2 == rc && !strcmp(err, err2) && !memcmp(&st, &st2, sizeof(st)));
	free(img);
	return 0;
}
