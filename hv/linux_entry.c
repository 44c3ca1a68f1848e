/*
 * Linux's 64-bit entry (Documentation/arch/x86/boot.rst, "64-bit BOOT
 * PROTOCOL"): "the CPU must be in 64-bit mode with paging enabled", with an
 * identity map covering the kernel, its init_size, the zero page and the
 * command line; a GDT whose __BOOT_CS (0x10) is a 64-bit code segment and
 * __BOOT_DS (0x18) a data segment, CS = __BOOT_CS, DS/ES/SS = __BOOT_DS;
 * interrupts off; RSI = the zero page. The tables go into the boot area
 * (hv/linux_load.h); the backends turn *out into a VMCB/VMCS.
 */
#include "hv/lib.h"
#include "hv/linux_load.h"

/* SDM vol. 3A 3.4.5 / APM vol. 2 4.8: G, L, P, S, code execute/read accessed. */
#define GDT_CODE64 0x00af9b000000ffffull
/* G, D/B, P, S, data read/write accessed, base 0, limit 4 GiB. */
#define GDT_DATA 0x00cf93000000ffffull

/* SDM vol. 3A 4.5 (tables 4-15, 4-17): present, writable; PS on a PDE maps 2 MiB. */
#define PTE_P 0x1ull
#define PTE_RW 0x2ull
#define PTE_PS 0x80ull

static void put64(struct guest_mem *mem, uint64_t gpa, uint64_t v)
{
	memcpy(mem->base + gpa, &v, sizeof(v));
}

void linux_entry_build(struct guest_mem *mem, const struct linux_kernel *k,
		       struct mb_boot_state *out)
{
	memset(mem->base + LINUX_GDT_GPA, 0, LINUX_ZERO_PAGE_GPA - LINUX_GDT_GPA);
	put64(mem, LINUX_GDT_GPA + LINUX_BOOT_CS, GDT_CODE64);
	put64(mem, LINUX_GDT_GPA + LINUX_BOOT_DS, GDT_DATA);

	/* The identity map: every 2 MiB of RAM below 4 GiB (the guest size is a multiple of
	 * 2 MiB), which holds everything the loader placed. */
	uint64_t top = MIN(mem->size, GIB(4));
	for (uint64_t pa = 0; pa < top; pa += MIB(2))
		put64(mem, LINUX_PD_GPA + (pa >> 21) * 8, pa | PTE_PS | PTE_RW | PTE_P);
	for (uint64_t pd = 0; pd < ALIGN_UP(top, GIB(1)) / GIB(1); pd++)
		put64(mem, LINUX_PDPT_GPA + pd * 8, (LINUX_PD_GPA + pd * PAGE_SIZE) | PTE_RW | PTE_P);
	put64(mem, LINUX_PML4_GPA, LINUX_PDPT_GPA | PTE_RW | PTE_P);

	memset(out, 0, sizeof(*out));
	out->long_mode = true;
	out->entry = (uint32_t)k->entry;   /* < 4 GiB: inside the window, inside RAM */
	out->rsi = LINUX_ZERO_PAGE_GPA;
	out->cr3 = LINUX_PML4_GPA;
	out->gdt_base = LINUX_GDT_GPA;
	out->gdt_limit = LINUX_GDT_LIMIT;
	out->kernel_start = k->load;
	out->kernel_end = k->window_end;
}
