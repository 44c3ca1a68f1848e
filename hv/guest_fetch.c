/*
 * Guest page walks for instruction fetch. Needed because QEMU TCG fills no
 * next-RIP on SVM: to skip an intercepted instruction the hypervisor reads it
 * and decodes its length itself. Walks follow Intel SDM vol. 3A 4.3 (32-bit),
 * 4.4 (PAE) and 4.5 (4-level); accessed/dirty bits are not set (a read-only
 * walk of an instruction the CPU has already fetched).
 */
#include "arch/x86/cpu.h"
#include "hv/guest_fetch.h"
#include "hv/insn_len.h"
#include "hv/lib.h"
#include "hv/multiboot_load.h"

int guest_phys_read(const struct guest_mem *mem, uint64_t gpa, void *dst, size_t n)
{
	if (gpa >= mem->size || n > mem->size - gpa)
		return -1;
	memcpy(dst, mem->base + gpa, n);
	return 0;
}

static int read_entry(const struct guest_mem *mem, uint64_t gpa, bool wide, uint64_t *e)
{
	uint32_t e32;
	if (wide)
		return guest_phys_read(mem, gpa, e, 8);
	if (guest_phys_read(mem, gpa, &e32, 4))
		return -1;
	*e = e32;
	return 0;
}

int guest_linear_to_phys(const struct guest_mem *mem, const struct guest_mode *m, uint64_t linear,
			 uint64_t *gpa)
{
	if (!(m->cr0 & CR0_PG)) {
		*gpa = linear & 0xffffffffull;
		return 0;
	}
	const uint64_t addr_mask = 0x000ffffffffff000ull;
	uint64_t e;
	if (!(m->cr4 & CR4_PAE)) {
		/* 32-bit paging: 10/10/12, 4 MiB pages with CR4.PSE. */
		uint32_t la = (uint32_t)linear;
		if (read_entry(mem, (m->cr3 & 0xfffff000u) + (la >> 22) * 4, false, &e) || !(e & 1))
			return -1;
		if ((e & BIT(7)) && (m->cr4 & CR4_PSE)) {
			*gpa = (e & 0xffc00000u) | ((e >> 13) & 0xff) << 32 | (la & 0x3fffff);
			return 0;
		}
		if (read_entry(mem, (e & 0xfffff000u) + ((la >> 12) & 0x3ff) * 4, false, &e) || !(e & 1))
			return -1;
		*gpa = (e & 0xfffff000u) | (la & 0xfff);
		return 0;
	}
	int levels;
	uint64_t table;
	if (m->efer & EFER_LMA) {
		if (m->cr4 & CR4_LA57)
			return -1; /* 5-level paging is not supported for guests */
		levels = 4;
		table = m->cr3 & addr_mask;
	} else {
		/* PAE: the PDPTE is selected by bits 31:30 from a 32-byte aligned table. */
		levels = 2;
		if (read_entry(mem, (m->cr3 & 0xffffffe0u) + ((linear >> 30) & 3) * 8, true, &e) ||
		    !(e & 1))
			return -1;
		table = e & addr_mask;
	}
	for (int level = levels - 1; level >= 0; level--) {
		unsigned idx = (linear >> (12 + 9 * level)) & 511;
		if (read_entry(mem, table + idx * 8, true, &e) || !(e & 1))
			return -1;
		if (level > 0 && (e & BIT(7))) {
			uint64_t size = 1ull << (12 + 9 * level);
			*gpa = (e & addr_mask & ~(size - 1)) | (linear & (size - 1));
			return 0;
		}
		table = e & addr_mask;
	}
	*gpa = table | (linear & 0xfff);
	return 0;
}

size_t guest_insn_fetch(const struct guest_mem *mem, const struct guest_mode *m, uint8_t code[15])
{
	size_t got = 0;
	uint64_t linear = m->cs_base + m->rip;
	if (m->cs_bits != 64)
		linear &= 0xffffffffull;
	/* Fetch byte-wise across page boundaries; stop at the first unmapped page. */
	while (got < INSN_MAX_LEN) {
		uint64_t gpa;
		uint64_t la = linear + got;
		if (guest_linear_to_phys(mem, m, la, &gpa))
			break;
		size_t chunk = MIN(INSN_MAX_LEN - got, (size_t)(PAGE_SIZE - (la & 0xfff)));
		if (guest_phys_read(mem, gpa, code + got, chunk))
			break;
		got += chunk;
	}
	return got;
}

int guest_insn_length(const struct guest_mem *mem, const struct guest_mode *m)
{
	uint8_t code[15];
	size_t got = guest_insn_fetch(mem, m, code);
	int len = insn_length(code, got, (enum insn_mode)m->cs_bits);
	return len > 0 ? len : -1;
}
