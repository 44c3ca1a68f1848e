/*
 * Guest page walks for instruction fetch. Needed because QEMU TCG fills no
 * next-RIP on SVM: to skip an intercepted instruction the hypervisor reads it
 * and decodes its length itself. Walks follow Intel SDM vol. 3A 4.3 (32-bit),
 * 4.4 (PAE) and 4.5 (4-level); accessed/dirty bits are not set (a read-only
 * walk of an instruction the CPU has already fetched).
 */
#include "arch/x86/cpu.h"
#include "hv/guest_fetch.h"
#include "hv/guest_walk.h"
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

int guest_linear_to_phys(const struct guest_mem *mem, const struct guest_mode *m, uint64_t linear,
			 uint64_t *gpa)
{
	/* A read-only walk of an instruction the CPU has already fetched: nothing checked,
	 * nothing written (hv/guest_walk.c). */
	return guest_walk(mem, m, linear, GUEST_WALK_PEEK, gpa, NULL) == GUEST_WALK_OK ? 0 : -1;
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
