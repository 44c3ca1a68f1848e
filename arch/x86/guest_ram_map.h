/* A partition's RAM in its nested page tables (NPT or EPT), with the local APIC hole. */
#ifndef ARCH_X86_GUEST_RAM_MAP_H
#define ARCH_X86_GUEST_RAM_MAP_H

#include "arch/x86/page_table.h"

/*
 * Map guest-physical [0, size) to host-physical [hpa, hpa + size) in the nested tables at
 * root. When the RAM covers the xAPIC page (VLAPIC_DEFAULT_BASE, a guest larger than
 * 0xFEE00000), that 4 KiB page is left unmapped, so that every access to it is a nested
 * page fault the virtual APIC answers (hv/apic_mmio.c, docs/interrupts.md); the multiboot
 * memory map reports it reserved (hv/multiboot_load.c). The I/O APIC page
 * (VIOAPIC_BASE, hv/vioapic.h) is cut out the same way when the RAM covers it. 0, or -1
 * when tables run out.
 */
int guest_ram_map(struct page_pool *pool, uint64_t root, uint64_t hpa, uint64_t size,
		  const struct pt_format *fmt);

#endif
