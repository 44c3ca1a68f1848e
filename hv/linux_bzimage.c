/*
 * bzImage: the setup header is read and every field the loader uses is
 * validated (Documentation/arch/x86/boot.rst, "THE REAL-MODE KERNEL HEADER",
 * "LOADING THE REST OF THE KERNEL", "64-bit BOOT PROTOCOL"), then the
 * protected-mode kernel is copied to its load address. Only the 64-bit entry
 * is used: the real-mode setup code is never run, so its sectors are skipped.
 */
#include "hv/elf_load.h"
#include "hv/lib.h"
#include "hv/linux_load.h"

/* The header must reach init_size (0x260..0x263): protocol 2.10's last field we read. */
#define HDR_NEED_END (LINUX_HDR_OFF(init_size) + 4)

static bool pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

/* Header bytes from the image: [0x1F1, 0x202 + byte 0x201), as boot.rst says to copy. */
static int read_header(const uint8_t *img, size_t size, struct linux_kernel *k,
		       struct linux_setup_header *h, char *err, size_t errlen)
{
	if (size < LINUX_HDR_OFF(version) + 2)
		return loader_fail(err, errlen,
				   "kernel: truncated bzImage (%zu bytes): the setup header needs 0x%x",
				   size, (unsigned)(LINUX_HDR_OFF(version) + 2));
	uint32_t magic;
	uint16_t version;
	memcpy(&magic, img + LINUX_HDR_OFF(header), 4);
	memcpy(&version, img + LINUX_HDR_OFF(version), 2);
	if (magic != LINUX_HDRS_MAGIC)
		return loader_fail(err, errlen, "kernel: no \"HdrS\" setup header at 0x202");
	if (version < LINUX_MIN_VERSION)
		return loader_fail(err, errlen,
				   "kernel: boot protocol %u.%02u (version at 0x206) is older than 2.12",
				   version >> 8, version & 0xff);
	size_t end = 0x202 + (size_t)img[0x201];
	if (end < HDR_NEED_END)
		return loader_fail(err, errlen,
				   "kernel: setup header ends at 0x%zx (byte 0x201), before init_size at 0x260",
				   end);
	if (end > size)
		return loader_fail(err, errlen,
				   "kernel: truncated bzImage (%zu bytes): the setup header ends at 0x%zx",
				   size, end);
	k->hdr_len = MIN(end, (size_t)0x290) - LINUX_SETUP_HDR_OFFSET;
	memcpy(k->hdr, img + LINUX_SETUP_HDR_OFFSET, k->hdr_len);
	memcpy(h, k->hdr, sizeof(*h)); /* hdr_len >= HDR_NEED_END - 0x1F1: the fields read are in */
	return 0;
}

int linux_bzimage_load(struct guest_mem *mem, const uint8_t *img, size_t size,
		       struct linux_kernel *k, char *err, size_t errlen)
{
	struct linux_setup_header h;
	char gsize[32];

	if (read_header(img, size, k, &h, err, errlen))
		return -1;
	if (!(h.loadflags & LINUX_LOADED_HIGH))
		return loader_fail(err, errlen,
				   "kernel: loadflags 0x%02x: LOADED_HIGH (bit 0) clear, a zImage is not supported",
				   h.loadflags);
	if (!(h.xloadflags & LINUX_XLF_KERNEL_64))
		return loader_fail(err, errlen,
				   "kernel: xloadflags 0x%04x: XLF_KERNEL_64 (bit 0) clear, no 64-bit entry",
				   h.xloadflags);
	/* "If this field is 0, the real value is 4." */
	uint64_t setup_sects = h.setup_sects ? h.setup_sects : 4;
	uint64_t pm_off = (setup_sects + 1) * 512;
	if (pm_off >= size)
		return loader_fail(err, errlen,
				   "kernel: setup_sects %u puts the protected-mode code at 0x%llx, past the %zu-byte image",
				   h.setup_sects, (unsigned long long)pm_off, size);
	/* syssize counts 16-byte paragraphs; the file may carry more after it (a signature). */
	uint64_t rest = size - pm_off, sys = (uint64_t)h.syssize * 16;
	if (sys == 0 || sys > ALIGN_UP(rest, 16))
		return loader_fail(err, errlen,
				   "kernel: syssize 0x%x (%llu bytes) does not fit the %llu bytes after the setup code",
				   h.syssize, (unsigned long long)sys, (unsigned long long)rest);
	uint64_t load_len = MIN(sys, rest);
	if (load_len <= LINUX_ENTRY64_OFFSET)
		return loader_fail(err, errlen,
				   "kernel: protected-mode code of %llu bytes ends before the 64-bit entry at +0x200",
				   (unsigned long long)load_len);
	if (!pow2(h.kernel_alignment))
		return loader_fail(err, errlen, "kernel: kernel_alignment 0x%x is not a power of two",
				   h.kernel_alignment);
	if (h.init_size < load_len)
		return loader_fail(err, errlen,
				   "kernel: init_size 0x%x is smaller than the 0x%llx-byte protected-mode code",
				   h.init_size, (unsigned long long)load_len);
	/* Protocol 2.10+: pref_address is where a non-relocatable kernel must go, and where a
	 * relocatable one prefers to; it is taken as is, so it must suit both. */
	uint64_t load = h.pref_address;
	if (load < MIB(1))
		return loader_fail(err, errlen, "kernel: pref_address 0x%llx is below 1 MiB",
				   (unsigned long long)load);
	if (h.relocatable_kernel && !IS_ALIGNED(load, (uint64_t)h.kernel_alignment))
		return loader_fail(err, errlen,
				   "kernel: pref_address 0x%llx is not a multiple of kernel_alignment 0x%x",
				   (unsigned long long)load, h.kernel_alignment);
	uint64_t top = linux_usable_top(mem);
	if (load >= top || h.init_size > top - load) {
		loader_fmt_size(gsize, sizeof(gsize), mem->size);
		return loader_fail(err, errlen,
				   "kernel: pref_address 0x%llx + init_size 0x%x does not fit in the guest's %s",
				   (unsigned long long)load, h.init_size, gsize);
	}
	/* Validated: [load, load + init_size) lies in RAM, load_len <= init_size. */
	memcpy(mem->base + load, img + pm_off, (size_t)load_len);
	k->load = load;
	k->window_end = load + h.init_size;
	k->entry = load + LINUX_ENTRY64_OFFSET;
	k->cmdline_max = h.cmdline_size;
	k->initrd_end_max = (uint64_t)h.initrd_addr_max + 1;
	return 0;
}
