/* Checked guest page walks (hv/guest_walk.c): access rights, #PF error codes, A/D flags. */
#include <stdlib.h>
#include <string.h>
#include "arch/x86/cpu.h"
#include "hv/guest_walk.h"
#include "hv/multiboot_load.h"
#include "tests/host/harness.h"

/* 4-level: PML4 0x30000 -> PDPT 0x31000 -> PD 0x32000 -> PT 0x33000, linear 0x201000 ->
 * 0x7000 with the leaf's flags as given (the upper levels: present, writable, user). */
static struct guest_mem four_level(uint64_t leaf_flags)
{
	struct guest_mem m = { calloc(1, 1 << 20), 1 << 20 };
	uint64_t e[4] = { 0x31000 | 7, 0x32000 | 7, 0x33000 | 7, 0x7000 | leaf_flags };
	memcpy(m.base + 0x30000, &e[0], 8);
	memcpy(m.base + 0x31000, &e[1], 8);
	memcpy(m.base + 0x32000 + 1 * 8, &e[2], 8);
	memcpy(m.base + 0x33000 + 1 * 8, &e[3], 8);
	return m;
}

static uint64_t entry(const struct guest_mem *m, uint64_t gpa)
{
	uint64_t e;
	memcpy(&e, m->base + gpa, 8);
	return e;
}

TEST(guest_walk_long_mode_rights_and_flags)
{
	struct guest_mode md = { .cr0 = CR0_PE | CR0_PG | CR0_WP, .cr4 = CR4_PAE, .cr3 = 0x30000,
				 .efer = EFER_LME | EFER_LMA, .cs_bits = 64 };
	struct guest_mem m = four_level(7); /* user, writable */
	uint64_t gpa = 0;
	uint32_t err = 0;
	CHECK_EQ(guest_walk(&m, &md, 0x201234, GUEST_WALK_WRITE | GUEST_WALK_USER, &gpa, &err), GUEST_WALK_OK);
	CHECK_EQ(gpa, 0x7234);
	CHECK_EQ(entry(&m, 0x30000) & 0x60, 0x20); /* accessed, never dirty above the leaf */
	CHECK_EQ(entry(&m, 0x32000 + 8) & 0x60, 0x20);
	CHECK_EQ(entry(&m, 0x33000 + 8) & 0x60, 0x60);
	/* SMAP: a supervisor access to a user page faults with RFLAGS.AC = 0, not with AC = 1. */
	md.cr4 |= BIT(21);
	CHECK_EQ(guest_walk(&m, &md, 0x201000, 0, &gpa, &err), GUEST_WALK_FAULT);
	CHECK_EQ(err, PF_ERR_P);
	md.rflags = BIT(18);
	CHECK_EQ(guest_walk(&m, &md, 0x201000, 0, &gpa, &err), GUEST_WALK_OK);
	free(m.base);
	/* XD with EFER.NXE = 0 is a reserved bit: P|RSVD (|W). */
	m = four_level(3 | BIT(63));
	CHECK_EQ(guest_walk(&m, &md, 0x201000, GUEST_WALK_WRITE, &gpa, &err), GUEST_WALK_FAULT);
	CHECK_EQ(err, PF_ERR_P | PF_ERR_RSVD | PF_ERR_W);
	md.efer |= EFER_NXE;
	CHECK_EQ(guest_walk(&m, &md, 0x201000, GUEST_WALK_WRITE, &gpa, &err), GUEST_WALK_OK);
	/* Not present at the leaf: P = 0; nothing is marked accessed. */
	free(m.base);
	m = four_level(0);
	CHECK_EQ(guest_walk(&m, &md, 0x201000, GUEST_WALK_USER, &gpa, &err), GUEST_WALK_FAULT);
	CHECK_EQ(err, PF_ERR_U);
	CHECK_EQ(entry(&m, 0x30000) & 0x20, 0);
	/* A PML4 outside the partition. */
	md.cr3 = 2 << 20;
	CHECK_EQ(guest_walk(&m, &md, 0x201000, 0, &gpa, &err), GUEST_WALK_OUTSIDE);
	free(m.base);
}
