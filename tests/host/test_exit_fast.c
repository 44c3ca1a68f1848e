/* The inlined fast paths (hv/exit_fast.h) must give exactly the general path's answer. */
#include <string.h>
#include "hv/exit_fast.h"
#include "tests/host/fake_arch.h"
#include "tests/host/harness.h"

static struct vm_exit ex(enum exit_kind k)
{
	struct vm_exit e;
	memset(&e, 0, sizeof(e));
	e.kind = k;
	e.insn_len = 2;
	return e;
}

TEST(fast_cpuid_matches_general_path_for_every_leaf)
{
	struct vcpu *a = fake_vcpu_new(4 << 20), *b = fake_vcpu_new(4 << 20);
	static const uint32_t leaves[] = { 0, 1, 2, 3, 5, 6, 7, 0xb, 0xc, 0xd, 0x1f, 0x20,
					   0x40000000u, 0x40000001u, 0x80000000u, 0x80000001u, 0x8000000au };
	unsigned fast_handled = 0;
	for (int cr4 = 0; cr4 < 2; cr4++) {
		((struct fake_guest *)b->arch)->mode.cr4 = cr4 ? FAST_CR4_OSXSAVE : 0;
		for (size_t i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
			uint64_t rax = leaves[i];
			a->gprs.rcx = b->gprs.rcx = 0;
			if (!hv_fast_cpuid(a, &rax, cr4 ? FAST_CR4_OSXSAVE : 0))
				continue; /* left to the general path: nothing to compare */
			fast_handled++;
			struct vm_exit e = ex(EXIT_CPUID);
			b->gprs.rax = leaves[i];
			CHECK_EQ(hv_handle_exit(b, &e), ACT_SKIP);
			CHECK_EQ(rax, b->gprs.rax);
			CHECK_EQ(a->gprs.rbx, b->gprs.rbx);
			CHECK_EQ(a->gprs.rcx, b->gprs.rcx);
			CHECK_EQ(a->gprs.rdx, b->gprs.rdx);
		}
	}
	CHECK(fast_handled >= 10);
	CHECK_EQ(a->exits[EXIT_CPUID], b->exits[EXIT_CPUID]);
	/* Subleaf-indexed and out-of-range leaves are never answered by the fast path. */
	uint64_t rax = 0xd;
	CHECK(!hv_fast_cpuid(a, &rax, 0));
	rax = 7; /* OSPKE follows CR4.PKE: only the general path applies it */
	CHECK(!hv_fast_cpuid(a, &rax, 0));
	rax = 0x40000000u;
	CHECK(!hv_fast_cpuid(a, &rax, 0));
	fake_vcpu_free(a);
	fake_vcpu_free(b);
}

TEST(fast_hypercall_only_takes_ping)
{
	struct vcpu *v = fake_vcpu_new(4 << 20);
	uint64_t rax = 0;
	CHECK(hv_fast_hypercall(v, &rax));
	CHECK_EQ(rax, 0);
	CHECK_EQ(v->exits[EXIT_HYPERCALL], 1);
	rax = 5;
	CHECK(!hv_fast_hypercall(v, &rax));
	CHECK_EQ(rax, 5);
	CHECK_EQ(v->exits[EXIT_HYPERCALL], 1);
	fake_vcpu_free(v);
}
