/*
 * CPUID hiding against a host that has everything: the synthetic all-features CPU with,
 * on top, every bit of every feature-flag register set (known or not). The bits this
 * project promises to hide (README "What a guest gets", docs/cpuid-policy.md,
 * docs/interrupts.md) are asserted by raw leaf / register / bit written here, not through
 * the feature table's names; then every entry the table marks "hide" is checked hidden.
 * Under the most permissive backend (every capability) and under the real SVM intercepts.
 */
#include "arch/x86/svm/svm_intercepts.h"
#include "arch/x86/vmx/vmx_controls.h"
#include "arch/x86/vmx/vmx_vmcs.h"
#include "hv/cpuid_features.h"
#include "tests/host/cpuid_dump.h"
#include "tests/host/harness.h"

enum { EAX, EBX, ECX, EDX };

static uint32_t reg(struct cpuid_value v, int r)
{
	return r == EAX ? v.eax : r == EBX ? v.ebx : r == ECX ? v.ecx : v.edx;
}

static uint32_t *reg_ptr(struct cpuid_value *v, int r)
{
	return r == EAX ? &v->eax : r == EBX ? &v->ebx : r == ECX ? &v->ecx : &v->edx;
}

/* Every promise, raw: leaf, subleaf, register, bit, shown (1) or hidden (0). */
static const struct {
	uint32_t leaf, sub;
	int reg, bit, shown;
	const char *what;
} promise[] = {
	{ 1, 0, ECX, 3, 0, "MONITOR/MWAIT (intercepted: #UD)" },
	{ 1, 0, ECX, 5, 0, "VMX (no nested virtualization)" },
	{ 1, 0, ECX, 6, 0, "SMX (GETSEC)" },
	{ 0x80000001u, 0, ECX, 2, 0, "SVM (no nested virtualization)" },
	{ 0x80000001u, 0, ECX, 29, 0, "MONITORX/MWAITX (intercepted with MONITOR/MWAIT: #UD)" },
	{ 7, 0, EBX, 1, 0, "TSC_ADJUST (MSR denied)" },
	{ 7, 0, EBX, 2, 0, "SGX" },
	{ 7, 0, ECX, 16, 0, "LA57 (guest page walker has no 5-level paging)" },
	{ 7, 0, ECX, 31, 0, "PKS (IA32_PKRS denied)" },
	{ 7, 0, EDX, 26, 0, "IBRS/IBPB (SPEC_CTRL/PRED_CMD denied)" },
	{ 7, 0, EDX, 27, 0, "STIBP (SPEC_CTRL denied)" },
	{ 7, 0, EDX, 28, 0, "L1D_FLUSH (FLUSH_CMD denied)" },
	{ 7, 0, EDX, 29, 0, "ARCH_CAPABILITIES (denied)" },
	{ 7, 0, EDX, 31, 0, "SSBD (SPEC_CTRL denied)" },
	{ 0xd, 1, EAX, 4, 0, "XFD in the static table (set per guest by hv/xstate.c)" },
	/* docs/interrupts.md: x2APIC shown where the host has it; APIC and TSC-deadline always;
	 * docs/cpuid-policy.md: HYPERVISOR always set. */
	{ 1, 0, ECX, 21, 1, "x2APIC (virtual x2APIC, host has it)" },
	{ 1, 0, EDX, 9, 1, "APIC (virtual local APIC)" },
	{ 1, 0, ECX, 24, 1, "TSC-deadline (virtual APIC timer)" },
	{ 1, 0, ECX, 31, 1, "HYPERVISOR" },
};

/* Leaves that must read all zero: PMU (0xA), SGX (0x12), PT (0x14), SVM features (0x8000000A),
 * SEV (0x8000001F). */
static const uint32_t zero_leaves[] = { 0xa, 0x12, 0x14, 0x8000000au, 0x8000001fu };

static void check_host(bool amd, const struct cpuid_backend_caps *caps, const char *be)
{
	static struct cpuid_dump d;
	cpuid_dump_synthetic(&d, &cpuid_feature_default, amd);
	/* Every feature-flag register all ones: unknown bits too (the table is an allowlist). */
	for (size_t i = 0; i < cpuid_feature_reg_count; i++) {
		const struct cpuid_feature_reg *r = &cpuid_feature_regs[i];
		struct cpuid_value v = cpuid_dump_get(&d, r->leaf, r->subleaf);
		*reg_ptr(&v, r->reg) = ~0u;
		bool found = false;
		for (size_t k = 0; k < d.n; k++)
			if (d.e[k].leaf == r->leaf && d.e[k].subleaf == r->subleaf) {
				d.e[k].v = v;
				found = true;
			}
		if (!found && d.n < CPUID_DUMP_MAX_ENTRIES)
			d.e[d.n++] = (struct cpuid_indexed){ r->leaf, r->subleaf, v };
	}
	for (size_t i = 0; i < sizeof(zero_leaves) / sizeof(zero_leaves[0]); i++)
		if (d.n < CPUID_DUMP_MAX_ENTRIES)
			d.e[d.n++] = (struct cpuid_indexed){ zero_leaves[i], 0, { ~0u, ~0u, ~0u, ~0u } };
	cpuid_dump_select(&d);
	static struct cpuid_table t;
	struct cpuid_guest_info g = { 0, 64 << 20, ~0ull, 0, *caps, NULL, 2500000, 2500000 };
	cpuid_table_build(&t, cpuid_dump_source, &g);

	for (size_t i = 0; i < sizeof(promise) / sizeof(promise[0]); i++) {
		uint32_t host = reg(cpuid_dump_get(&d, promise[i].leaf, promise[i].sub), promise[i].reg);
		uint32_t guest = reg(cpuid_lookup(&t, promise[i].leaf, promise[i].sub), promise[i].reg);
		CHECK(host & (1u << promise[i].bit)); /* the host really has it */
		if (!!(guest & (1u << promise[i].bit)) != promise[i].shown) {
			printf("    %s %s: %s is %s\n", amd ? "amd" : "intel", be, promise[i].what,
			       promise[i].shown ? "hidden" : "shown");
			CHECK(!"a promised CPUID bit is wrong");
		}
	}
	for (size_t i = 0; i < sizeof(zero_leaves) / sizeof(zero_leaves[0]); i++) {
		struct cpuid_value v = cpuid_lookup(&t, zero_leaves[i], 0);
		CHECK_EQ(v.eax | v.ebx | v.ecx | v.edx, 0);
	}
	/* And every entry the table marks hide. */
	unsigned hidden = 0;
	for (size_t k = 0; k < cpuid_feature_count; k++) {
		const struct cpuid_feature *f = &cpuid_features[k];
		if (f->choice != CPUID_HIDE)
			continue;
		hidden++;
		if (reg(cpuid_lookup(&t, f->leaf, f->subleaf), f->reg) & f->mask) {
			printf("    %s %s: %s shown\n", amd ? "amd" : "intel", be, f->name);
			CHECK(!"a bit the table hides is shown");
		}
	}
	CHECK(hidden >= 50);
}

TEST(cpuid_promised_bits_on_a_cpu_with_every_bit)
{
	struct cpuid_backend_caps all = { ~0u, ~0ull };
	for (int amd = 0; amd < 2; amd++)
		check_host(amd, &all, "all caps");
	struct vmcb_control vc = { 0 };
	struct cpuid_backend_caps svm;
	svm_intercepts_init(&vc, true);
	svm_cpuid_caps(&vc, &svm);
	check_host(true, &svm, "svm intercepts");
	struct vmx_controls xc = { .proc = PROC_MONITOR_EXITING | PROC_MWAIT_EXITING };
	struct cpuid_backend_caps vmx;
	vmx_cpuid_caps(&xc, 0x3ffffffull | BIT(32), &vmx);
	check_host(false, &vmx, "vmx controls");
}
