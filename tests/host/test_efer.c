/* Guest IA32_EFER writes (arch/x86/efer.c), as both backends apply them. */
#include "arch/x86/cpu.h"
#include "arch/x86/efer.h"
#include "tests/host/harness.h"

#define NX_EDX BIT(20)
#define FFXSR_EDX BIT(25)

TEST(efer_reserved_and_cpu_dependent_bits)
{
	uint64_t out = 0;
	CHECK(efer_guest_write(EFER_SCE | EFER_LME, 0, false, 0, &out) == 0);
	CHECK_EQ(out, EFER_SCE | EFER_LME);
	CHECK(efer_guest_write(EFER_NXE, 0, false, 0, &out) == -1);
	CHECK(efer_guest_write(EFER_NXE, 0, false, NX_EDX, &out) == 0);
	CHECK(efer_guest_write(EFER_FFXSR, 0, false, NX_EDX, &out) == -1);
	CHECK(efer_guest_write(EFER_FFXSR, 0, false, FFXSR_EDX, &out) == 0);
	CHECK(efer_guest_write(EFER_SVME, 0, false, ~0u, &out) == -1); /* hidden on SVM */
	CHECK(efer_guest_write(BIT(1), 0, false, ~0u, &out) == -1);
	CHECK(efer_guest_write(1ull << 63, 0, false, ~0u, &out) == -1);
}

TEST(efer_lma_read_only_and_lme_fixed_while_paging)
{
	uint64_t out = 0;
	/* LMA keeps its value whatever is written. */
	CHECK(efer_guest_write(EFER_LME, EFER_LME | EFER_LMA, true, 0, &out) == 0);
	CHECK_EQ(out, EFER_LME | EFER_LMA);
	CHECK(efer_guest_write(EFER_LMA, 0, false, 0, &out) == 0);
	CHECK_EQ(out, 0);
	/* LME may change with paging off, not with it on. */
	CHECK(efer_guest_write(0, EFER_LME | EFER_LMA, true, 0, &out) == -1);
	CHECK(efer_guest_write(EFER_LME, 0, true, 0, &out) == -1);
	CHECK(efer_guest_write(EFER_LME | EFER_SCE, EFER_LME, true, 0, &out) == 0);
	CHECK_EQ(out, EFER_LME | EFER_SCE);
}
