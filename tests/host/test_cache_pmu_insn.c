/* WBINVD/WBNOINVD/INVD and RDPMC exits (hv/cache_pmu_insn.c), with the fake backend. */
#include <string.h>
#include "arch/x86/svm/svm_intercepts.h"
#include "hv/cache_pmu_insn.h"
#include "tests/host/fake_arch.h"
#include "tests/host/harness.h"


TEST(cache_flush_writes_back_own_partition_only)
{
	struct vcpu *v = fake_vcpu_new(8 << 20);
	fake_writeback_calls = 0;
	struct vm_exit e = fake_exit(EXIT_WBINVD, 2);
	CHECK_EQ(hv_handle_exit(v, &e), ACT_SKIP);
	CHECK_EQ(fake_writeback_calls, 1);
	CHECK(fake_writeback_base == v->mem.base);
	CHECK_EQ(fake_writeback_size, 8 << 20);
	/* INVD never discards: the same write-back, and the guest goes on. */
	e = fake_exit(EXIT_INVD, 2);
	CHECK_EQ(hv_handle_exit(v, &e), ACT_SKIP);
	CHECK_EQ(fake_writeback_calls, 2);
	CHECK_EQ(v->exits[EXIT_WBINVD], 1);
	CHECK_EQ(v->exits[EXIT_INVD], 1);
	CHECK_EQ(v->end.kind, GUEST_RUNNING);
	CHECK(!strcmp(exit_kind_name(EXIT_WBINVD), "wbinvd"));
	CHECK(!strcmp(exit_kind_name(EXIT_INVD), "invd"));
	CHECK(!strcmp(exit_kind_name(EXIT_RDPMC), "rdpmc"));
	fake_vcpu_free(v);
}

TEST(cache_flush_and_rdpmc_lengths_decoded_without_nrip)
{
	struct vcpu *v = fake_vcpu_new(4 << 20);
	struct fake_guest *g = v->arch;
	static const struct {
		enum exit_kind k;
		uint8_t bytes[3];
		uint32_t len;
	} cases[] = {
		{ EXIT_WBINVD, { 0x0f, 0x09 }, 2 },
		{ EXIT_WBINVD, { 0xf3, 0x0f, 0x09 }, 3 }, /* WBNOINVD */
		{ EXIT_INVD, { 0x0f, 0x08 }, 2 },
		{ EXIT_RDPMC, { 0x0f, 0x33 }, 2 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memcpy(v->mem.base + 0x2000, cases[i].bytes, 3);
		g->mode.rip = 0x2000;
		v->gprs.rcx = 0;
		struct vm_exit e = fake_exit(cases[i].k, 0);
		CHECK_EQ(hv_handle_exit(v, &e), ACT_SKIP);
		CHECK_EQ(e.insn_len, cases[i].len);
	}
	fake_vcpu_free(v);
}

TEST(rdpmc_counter_numbering_per_vendor)
{
	/* Intel: ECX[30] = 0 general-purpose IA32_PMCn, 1 fixed IA32_FIXED_CTRn (SDM vol. 2B). */
	CHECK_EQ(rdpmc_counter_msr(false, 0), 0xc1);
	CHECK_EQ(rdpmc_counter_msr(false, 7), 0xc8);
	CHECK_EQ(rdpmc_counter_msr(false, 8), 0);
	CHECK_EQ(rdpmc_counter_msr(false, 1u << 30), 0x309);
	CHECK_EQ(rdpmc_counter_msr(false, (1u << 30) | 3), 0x30c);
	CHECK_EQ(rdpmc_counter_msr(false, (1u << 30) | 4), 0);
	CHECK_EQ(rdpmc_counter_msr(false, 1u << 29), 0); /* performance metrics: not offered */
	/* AMD: 0-3 legacy PerfCtr0-3, 4-5 the extended core counters (APM vol. 3 RDPMC). */
	CHECK_EQ(rdpmc_counter_msr(true, 0), 0xc0010004);
	CHECK_EQ(rdpmc_counter_msr(true, 3), 0xc0010007);
	CHECK_EQ(rdpmc_counter_msr(true, 4), 0xc0010209);
	CHECK_EQ(rdpmc_counter_msr(true, 5), 0xc001020b);
	CHECK_EQ(rdpmc_counter_msr(true, 6), 0);
	CHECK_EQ(rdpmc_counter_msr(true, 1u << 30), 0);
}

static struct cpuid_value intel_cpuid(uint32_t leaf, uint32_t subleaf)
{
	if (leaf == 0)
		return (struct cpuid_value){ 0xd, 0x756e6547, 0x6c65746e, 0x49656e69 }; /* GenuineIntel */
	for (size_t i = 0; i < fake_cpuid_count; i++)
		if (fake_cpuid_table[i].leaf == leaf && fake_cpuid_table[i].subleaf == subleaf)
			return fake_cpuid_table[i].v;
	return (struct cpuid_value){ 0, 0, 0, 0 };
}

/* RDPMC of index ecx: the action, and EDX:EAX (preset to garbage) when it succeeded. */
static enum exit_action rdpmc(struct vcpu *v, uint32_t ecx, uint64_t *val)
{
	struct vm_exit e = fake_exit(EXIT_RDPMC, 2);
	v->gprs.rcx = ecx;
	v->gprs.rax = v->gprs.rdx = 0xdeadbeefcafef00dull;
	enum exit_action a = hv_handle_exit(v, &e);
	*val = v->gprs.rdx << 32 | v->gprs.rax;
	return a;
}

/* RDPMC answers exactly as RDMSR of the counter's MSR does under the MSR policy. */
static void check_follows_msr_policy(struct vcpu *v, bool amd)
{
	static const uint32_t indexes[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 31, 1u << 29,
					    1u << 30, (1u << 30) | 1, (1u << 30) | 3, (1u << 30) | 4,
					    0x7fffffff, 0xffffffff };
	for (size_t i = 0; i < sizeof(indexes) / sizeof(indexes[0]); i++) {
		uint64_t val;
		enum exit_action a = rdpmc(v, indexes[i], &val);
		uint32_t msr = rdpmc_counter_msr(amd, indexes[i]);
		enum exit_action want = ACT_INJECT_GP;
		uint64_t want_val = 0;
		if (msr) {
			struct vm_exit m = fake_exit(EXIT_MSR_READ, 2);
			m.msr.index = msr;
			v->gprs.rax = v->gprs.rdx = 0x1111;
			want = hv_handle_exit(v, &m);
			want_val = v->gprs.rdx << 32 | v->gprs.rax;
		}
		CHECK_EQ(a, want);
		if (a == ACT_SKIP)
			CHECK_EQ(val, want_val);
	}
}

TEST(rdpmc_follows_msr_policy_amd)
{
	struct vcpu *v = fake_vcpu_new(4 << 20); /* the fake CPU is AuthenticAMD */
	uint64_t val;
	CHECK_EQ(rdpmc(v, 0, &val), ACT_SKIP);
	CHECK_EQ(val, 0); /* no virtual PMU: PerfCtr0 reads 0, upper halves cleared */
	CHECK_EQ(rdpmc(v, 3, &val), ACT_SKIP);
	CHECK_EQ(rdpmc(v, 4, &val), ACT_INJECT_GP); /* PerfCtr4 is not in the policy */
	CHECK_EQ(rdpmc(v, 16, &val), ACT_INJECT_GP);
	check_follows_msr_policy(v, true);
	fake_vcpu_free(v);
}

TEST(rdpmc_follows_msr_policy_intel)
{
	fake_cpuid_override = intel_cpuid;
	struct vcpu *v = fake_vcpu_new(4 << 20);
	fake_cpuid_override = NULL;
	uint64_t val;
	CHECK_EQ(rdpmc(v, 0, &val), ACT_SKIP);
	CHECK_EQ(val, 0);
	CHECK_EQ(rdpmc(v, 7, &val), ACT_SKIP);
	CHECK_EQ(rdpmc(v, 8, &val), ACT_INJECT_GP);
	CHECK_EQ(rdpmc(v, 1u << 30, &val), ACT_INJECT_GP); /* fixed counters: MSRs denied */
	check_follows_msr_policy(v, false);
	fake_vcpu_free(v);
}

TEST(rdpmc_privilege_rule)
{
	struct vcpu *v = fake_vcpu_new(4 << 20);
	struct fake_guest *g = v->arch;
	uint64_t val;
	/* Protected mode, CPL 3, CR4.PCE = 0: #GP(0) (SDM vol. 2B RDPMC). */
	g->mode.cr0 = 0x11;
	g->mode.cpl = 3;
	g->mode.cr4 = 0;
	CHECK_EQ(rdpmc(v, 0, &val), ACT_INJECT_GP);
	g->mode.cr4 = 1u << 8; /* PCE */
	CHECK_EQ(rdpmc(v, 0, &val), ACT_SKIP);
	/* Virtual-8086 mode is CPL 3 whatever the saved CPL says. */
	g->mode.cr4 = 0;
	g->mode.cpl = 0;
	g->mode.rflags = 1u << 17;
	CHECK_EQ(rdpmc(v, 0, &val), ACT_INJECT_GP);
	/* Real mode: always allowed. */
	g->mode.rflags = 0;
	g->mode.cr0 = 0x10;
	g->mode.cpl = 3;
	CHECK_EQ(rdpmc(v, 0, &val), ACT_SKIP);
	CHECK_EQ(rdpmc(v, 0x100, &val), ACT_INJECT_GP); /* a bad index still #GPs */
	fake_vcpu_free(v);
}

TEST(svm_intercepts_cache_and_pmu)
{
	/* SVM agrees with VMX (test_vmx_controls.c): WBINVD/WBNOINVD, INVD and RDPMC exit. */
	struct vmcb_control c;
	memset(&c, 0, sizeof(c));
	svm_intercepts_init(&c, false);
	CHECK(c.intercept_misc2 & SVM_INTERCEPT_WBINVD);
	CHECK(c.intercept_misc1 & SVM_INTERCEPT_INVD);
	CHECK(c.intercept_misc1 & SVM_INTERCEPT_RDPMC);
	CHECK_EQ(SVM_INTERCEPT_WBINVD, 1u << 9);  /* APM vol. 2 appendix B, vector 4 */
	CHECK_EQ(SVM_INTERCEPT_RDPMC, 1u << 15);  /* vector 3 */
	CHECK_EQ(SVM_EXIT_WBINVD, 0x89);          /* appendix C */
	CHECK_EQ(SVM_EXIT_RDPMC, 0x6f);
}
