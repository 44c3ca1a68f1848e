/*
 * Linux loader, the parts both kernel kinds share (see hv/linux_load.h for the
 * guest-physical layout): which loader an image is for, the command line, the
 * initrd's place, the zero page. The kernel itself is placed by
 * hv/linux_bzimage.c or hv/linux_vmlinux.c, the 64-bit entry built by
 * hv/linux_entry.c.
 *
 * Everything taken from the image is untrusted: sums are done in 64 bits in
 * forms that cannot overflow, and every write into guest memory is of a range
 * checked to lie inside mem.
 */
#include "hv/elf.h"
#include "hv/elf_load.h"
#include "hv/fmt.h"
#include "hv/lib.h"
#include "hv/linux_load.h"

#define TSC_KEY "tsc_early_khz="

enum kernel_kind kernel_kind(const void *image, size_t size)
{
	const uint8_t *img = image;
	uint32_t magic;
	if (!img || multiboot_magic_present(img, size))
		return KERNEL_MULTIBOOT;
	if (size >= LINUX_HDR_OFF(header) + 4) {
		memcpy(&magic, img + LINUX_HDR_OFF(header), 4);
		if (magic == LINUX_HDRS_MAGIC)
			return KERNEL_LINUX_BZIMAGE;
	}
	if (size > EI_CLASS && !memcmp(img, "\x7f" "ELF", 4) && img[EI_CLASS] == ELFCLASS64)
		return KERNEL_LINUX_VMLINUX;
	return KERNEL_MULTIBOOT;
}

uint64_t linux_usable_top(const struct guest_mem *mem)
{
	return MIN(mem->size, LINUX_IOAPIC_BASE);
}

/* Does the command line already have a word that starts with key? */
static bool has_word(const char *s, const char *key)
{
	size_t n = strlen(key);
	for (const char *p = s; *p; p++)
		if ((p == s || p[-1] == ' ' || p[-1] == '\t') && !strncmp(p, key, n))
			return true;
	return false;
}

/* The command line into its page: hv.cfg's, plus tsc_early_khz= (the kernel finds no PIT
 * to calibrate against: ../shared/LINUX-GUEST.md), checked against cmdline_size. */
static int put_cmdline(struct guest_mem *mem, const struct linux_kernel *k,
		       const struct linux_load_args *a, char *err, size_t errlen)
{
	const char *cfg = a->cmdline ? a->cmdline : "";
	char extra[48] = "";
	if (a->tsc_khz && !has_word(cfg, TSC_KEY))
		hv_snprintf(extra, sizeof(extra), "%s" TSC_KEY "%llu", cfg[0] ? " " : "",
			    (unsigned long long)a->tsc_khz);
	size_t len = strlen(cfg), elen = strlen(extra);
	uint32_t max = MIN(k->cmdline_max, LINUX_CMDLINE_MAX);
	if (len > max || elen > max - len)
		return loader_fail(err, errlen,
				   "cmdline: %zu bytes%s exceed the kernel's cmdline_size %u",
				   len + elen, elen ? " (with " TSC_KEY ")" : "", max);
	uint8_t *dst = mem->base + LINUX_CMDLINE_GPA;
	memset(dst, 0, PAGE_SIZE);
	memcpy(dst, cfg, len);
	memcpy(dst + len, extra, elen);
	return 0;
}

/*
 * The initrd (boot.rst "ramdisk_image"): as high as possible below the top of
 * RAM, 2 GiB and initrd_addr_max, page aligned, outside the kernel's init_size
 * window; if the window is in the way, right below it, still above 1 MiB.
 */
static int place_initrd(struct guest_mem *mem, const struct linux_kernel *k,
			const struct mb_module_img *m, uint64_t *addr, char *err, size_t errlen)
{
	uint64_t top = MIN(linux_usable_top(mem), MIN(k->initrd_end_max, LINUX_INITRD_CEILING));
	uint64_t size = m->size;
	char sz[32];
	if (!m->data && size)
		return loader_fail(err, errlen, "module 0 (the initrd) has no data");
	if (size <= top && ALIGN_DOWN(top - size, PAGE_SIZE) >= MAX(k->window_end, MIB(1))) {
		*addr = ALIGN_DOWN(top - size, PAGE_SIZE);
		return 0;
	}
	uint64_t below = MIN(k->load, top);
	if (size <= below && ALIGN_DOWN(below - size, PAGE_SIZE) >= MIB(1)) {
		*addr = ALIGN_DOWN(below - size, PAGE_SIZE);
		return 0;
	}
	loader_fmt_size(sz, sizeof(sz), size);
	return loader_fail(err, errlen,
			   "module 0 (initrd, %s) does not fit below 0x%llx outside the kernel's window [0x%llx, 0x%llx)",
			   sz, (unsigned long long)top, (unsigned long long)k->load,
			   (unsigned long long)k->window_end);
}

static void put_zero_page(struct guest_mem *mem, const struct linux_kernel *k,
			  const struct linux_load_args *a, uint64_t initrd, uint64_t initrd_size)
{
	struct linux_boot_params *bp = (struct linux_boot_params *)(mem->base + LINUX_ZERO_PAGE_GPA);
	struct linux_e820_entry map[LINUX_E820_MAX];
	unsigned n = linux_e820_table(mem->size, map);

	memset(bp, 0, sizeof(*bp));
	memcpy((uint8_t *)bp + LINUX_SETUP_HDR_OFFSET, k->hdr, k->hdr_len);
	/* boot.rst, the fields marked "write" for the boot loader. */
	bp->hdr.type_of_loader = LINUX_TYPE_OF_LOADER_UNDEF;
	bp->hdr.cmd_line_ptr = (uint32_t)LINUX_CMDLINE_GPA;
	bp->hdr.ramdisk_image = initrd_size ? (uint32_t)initrd : 0; /* both below 2 GiB */
	bp->hdr.ramdisk_size = (uint32_t)initrd_size;
	bp->hdr.setup_data = 0;
	bp->hdr.hardware_subarch = 0;                 /* a normal PC */
	bp->hdr.code32_start = (uint32_t)k->load;
	bp->acpi_rsdp_addr = a->acpi_rsdp;
	bp->e820_entries = (uint8_t)n;
	memcpy(bp->e820_table, map, n * sizeof(map[0]));
}

int linux_load(struct guest_mem *mem, const void *image, size_t size,
	       const struct linux_load_args *a, struct mb_boot_state *out, char *err,
	       size_t errlen)
{
	const uint8_t *img = image;
	struct linux_kernel k;
	uint64_t initrd = 0, initrd_size = 0;

	if (!mem || !mem->base || mem->size < MIB(4) || mem->size % MIB(2) || !out || !a ||
	    (!img && size) || (a->nmods && !a->mods))
		return loader_fail(err, errlen, "linux: invalid arguments");
	if (a->nmods > 1)
		return loader_fail(err, errlen,
				   "linux: %u modules given; a Linux kernel takes one (its initrd)",
				   a->nmods);
	memset(&k, 0, sizeof(k));
	int rc = kernel_kind(img, size) == KERNEL_LINUX_BZIMAGE
			 ? linux_bzimage_load(mem, img, size, &k, err, errlen)
			 : linux_vmlinux_load(mem, img, size, &k, err, errlen);
	if (rc)
		return -1;
	if (a->nmods && place_initrd(mem, &k, &a->mods[0], &initrd, err, errlen))
		return -1;
	if (put_cmdline(mem, &k, a, err, errlen))
		return -1;
	if (a->nmods && a->mods[0].size) {
		initrd_size = a->mods[0].size;
		memcpy(mem->base + initrd, a->mods[0].data, a->mods[0].size);
	}
	put_zero_page(mem, &k, a, initrd, initrd_size);
	linux_entry_build(mem, &k, out);
	return 0;
}
