/*
 * vmlinux: an uncompressed Linux kernel ELF64 (ET_EXEC, EM_X86_64, physical
 * load addresses in p_paddr, e_entry = the physical startup_64). Its segments
 * are validated and loaded by hv/elf_load.c; there is no setup header, so the
 * loader writes the one the kernel reads back from the zero page
 * (arch/x86/kernel/head64.c: copy_bootdata(), and x86_64_start_reservations()
 * copies the boot data again while hdr.version is 0; setup_arch() reads
 * type_of_loader, loadflags, the ramdisk and cmd_line_ptr).
 */
#include "hv/elf.h"
#include "hv/elf_load.h"
#include "hv/lib.h"
#include "hv/linux_load.h"

#define VMLINUX_ALIGN MIB(2)          /* __startup_64 stops on a load delta not 2 MiB aligned */
#define VMLINUX_HDR_VERSION 0x020F    /* what the written header describes */
#define VMLINUX_CMDLINE_SIZE 2047u    /* COMMAND_LINE_SIZE - 1 (arch/x86/include/asm/setup.h) */

int linux_vmlinux_load(struct guest_mem *mem, const uint8_t *img, size_t size,
		       struct linux_kernel *k, char *err, size_t errlen)
{
	struct kernel_layout kl;

	if (size <= EI_CLASS || memcmp(img, "\x7f" "ELF", 4) || img[EI_CLASS] != ELFCLASS64)
		return loader_fail(err, errlen, "kernel: neither a bzImage nor an ELF64 vmlinux");
	if (elf_load(mem, img, size, &kl, err, errlen))
		return -1;
	if (kl.start < MIB(1))
		return loader_fail(err, errlen, "kernel: vmlinux segments start at 0x%llx, below 1 MiB",
				   (unsigned long long)kl.start);
	if (!IS_ALIGNED(kl.start, VMLINUX_ALIGN))
		return loader_fail(err, errlen,
				   "kernel: vmlinux load address 0x%llx is not 2 MiB aligned",
				   (unsigned long long)kl.start);
	if (kl.end > linux_usable_top(mem))
		return loader_fail(err, errlen,
				   "kernel: vmlinux [0x%llx, 0x%llx) runs into the IOAPIC page at 0x%llx",
				   (unsigned long long)kl.start, (unsigned long long)kl.end,
				   (unsigned long long)LINUX_IOAPIC_BASE);

	struct linux_setup_header h = { 0 };
	h.boot_flag = LINUX_BOOT_FLAG;
	h.header = LINUX_HDRS_MAGIC;
	h.version = VMLINUX_HDR_VERSION;
	h.loadflags = LINUX_LOADED_HIGH;
	h.kernel_alignment = (uint32_t)VMLINUX_ALIGN;
	h.xloadflags = LINUX_XLF_KERNEL_64;
	h.cmdline_size = VMLINUX_CMDLINE_SIZE;
	h.initrd_addr_max = 0x7fffffff;
	h.pref_address = kl.start;
	h.init_size = (uint32_t)(kl.end - kl.start); /* < 4 GiB: elf_load keeps it there */
	memcpy(k->hdr, &h, sizeof(h));
	k->hdr_len = sizeof(h);
	k->load = kl.start;
	k->window_end = kl.end;
	k->entry = kl.entry;
	k->cmdline_max = VMLINUX_CMDLINE_SIZE;
	k->initrd_end_max = (uint64_t)h.initrd_addr_max + 1;
	return 0;
}
