/* Guest page walks used to fetch intercepted instructions (SDM vol. 3A 4.3-4.5). */
#include <stdlib.h>
#include <string.h>
#include "arch/x86/cpu.h"
#include "hv/guest_fetch.h"
#include "hv/multiboot_load.h"
#include "tests/host/harness.h"

static struct guest_mem mem_new(void)
{
	struct guest_mem m = { calloc(1, 8 << 20), 8 << 20 };
	return m;
}

static void w32(struct guest_mem *m, uint64_t gpa, uint32_t v) { memcpy(m->base + gpa, &v, 4); }
static void w64(struct guest_mem *m, uint64_t gpa, uint64_t v) { memcpy(m->base + gpa, &v, 8); }

TEST(walk_paging_off_and_32bit)
{
	struct guest_mem m = mem_new();
	struct guest_mode md = { .cr0 = CR0_PE, .cs_bits = 32 };
	uint64_t gpa;
	CHECK(guest_linear_to_phys(&m, &md, 0x1234, &gpa) == 0 && gpa == 0x1234);
	/* 32-bit paging: PD at 0x10000, PT at 0x11000; 0xc0001000 -> 0x200000; 4 MiB page at 0x400000. */
	md.cr0 |= CR0_PG;
	md.cr3 = 0x10000;
	w32(&m, 0x10000 + (0xc0001000u >> 22) * 4, 0x11000 | 1);
	w32(&m, 0x11000 + 1 * 4, 0x200000 | 1);
	CHECK(guest_linear_to_phys(&m, &md, 0xc0001abc, &gpa) == 0);
	CHECK_EQ(gpa, 0x200abc);
	w32(&m, 0x10000 + 1 * 4, 0x400000 | 0x81); /* PS */
	CHECK(guest_linear_to_phys(&m, &md, 0x00512345, &gpa) == -1); /* PSE off: PS ignored -> PT walk */
	md.cr4 = CR4_PSE;
	CHECK(guest_linear_to_phys(&m, &md, 0x00512345, &gpa) == 0);
	CHECK_EQ(gpa, 0x512345);
	CHECK(guest_linear_to_phys(&m, &md, 0x80000000, &gpa) == -1); /* not present */
	md.cr3 = 0x7ff000 + 0x1000; /* page directory outside the partition */
	CHECK(guest_linear_to_phys(&m, &md, 0x1000, &gpa) == -1);
	free(m.base);
}

TEST(walk_pae_and_long_mode)
{
	struct guest_mem m = mem_new();
	uint64_t gpa;
	/* PAE: PDPT at 0x20020 (32-byte aligned), PD at 0x21000, 2 MiB page. */
	struct guest_mode md = { .cr0 = CR0_PE | CR0_PG, .cr4 = CR4_PAE, .cr3 = 0x20020, .cs_bits = 32 };
	w64(&m, 0x20020 + 3 * 8, 0x21000 | 1);
	w64(&m, 0x21000 + 2 * 8, 0x600000 | 0x81);
	CHECK(guest_linear_to_phys(&m, &md, 0xc0412345, &gpa) == 0);
	CHECK_EQ(gpa, 0x612345);
	/* 4-level: PML4 0x30000 -> PDPT 0x31000 -> PD 0x32000 -> PT 0x33000. */
	md.efer = EFER_LME | EFER_LMA;
	md.cr3 = 0x30000;
	md.cs_bits = 64;
	uint64_t la = 0xffff800000201000ull;
	w64(&m, 0x30000 + ((la >> 39) & 511) * 8, 0x31000 | 1);
	w64(&m, 0x31000 + ((la >> 30) & 511) * 8, 0x32000 | 1);
	w64(&m, 0x32000 + ((la >> 21) & 511) * 8, 0x33000 | 1);
	w64(&m, 0x33000 + ((la >> 12) & 511) * 8, 0x7000 | 1);
	CHECK(guest_linear_to_phys(&m, &md, la + 0x10, &gpa) == 0);
	CHECK_EQ(gpa, 0x7010);
	md.cr4 |= CR4_LA57;
	CHECK(guest_linear_to_phys(&m, &md, la, &gpa) == -1);
	free(m.base);
}

TEST(insn_fetch_across_pages_and_partition_end)
{
	struct guest_mem m = mem_new();
	struct guest_mode md = { .cr0 = CR0_PE, .cs_bits = 32 };
	/* WRMSR split across a page boundary. */
	m.base[0x1fff] = 0x0f;
	m.base[0x2000] = 0x30;
	md.rip = 0x1fff;
	CHECK_EQ(guest_insn_length(&m, &md), 2);
	/* VMMCALL at CS base + RIP. */
	md.cs_base = 0x10000;
	md.rip = 0x10;
	memcpy(m.base + 0x10010, "\x0f\x01\xd9", 3);
	CHECK_EQ(guest_insn_length(&m, &md), 3);
	/* The last two bytes of the partition hold a complete instruction. */
	md.cs_base = 0;
	md.rip = (8 << 20) - 2;
	memcpy(m.base + md.rip, "\x0f\xa2", 2);
	CHECK_EQ(guest_insn_length(&m, &md), 2);
	md.rip = (8 << 20) - 1;
	m.base[md.rip] = 0x0f;
	CHECK_EQ(guest_insn_length(&m, &md), -1); /* truncated by the partition end */
	CHECK_EQ(guest_phys_read(&m, ~0ull - 2, m.base, 8), -1); /* no wrap-around */
	free(m.base);
}
