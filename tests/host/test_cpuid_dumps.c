/*
 * The guest CPUID policy over real CPUs: every dump in ../shared/cpuid (adding a file is
 * enough to test a new CPU) and a synthetic CPU that has every bit the feature table names.
 * For each, on the backend its vendor implies (AMD: SVM; Intel: VMX with every relevant
 * control present and absent) and several permitted XCR0 sets, bit by bit:
 *   - every shown feature bit has a table entry that offers it, and what the feature needs
 *     is really there (checked here from the needs, not by calling the table's own check,
 *     plus a reference list of the needs that issue 9 found missing);
 *   - every feature bit the host has is covered by an entry (offer or hide, with a reason);
 *   - leaf 0xD agrees with the permitted XCR0/XSS.
 * And, for the synthetic CPU, that removing any single table entry makes the checks fail.
 */
#include <dirent.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "arch/x86/efer.h"
#include "arch/x86/svm/svm_intercepts.h"
#include "arch/x86/vmx/vmx_controls.h"
#include "arch/x86/vmx/vmx_vmcs.h"
#include "hv/msr_policy.h"
#include "hv/xcr0_policy.h"
#include "hv/xsave_layout.h"
#include "tests/host/doc_check.h"
#include "tests/host/cpuid_dump.h"
#include "tests/host/harness.h"

struct checker {
	int failures;
	bool quiet, quick; /* quick: one configuration per backend */
	const char *cpu, *config;
};

static void fail(struct checker *ck, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct checker *ck, const char *fmt, ...)
{
	ck->failures++;
	if (ck->quiet || ck->failures > 20)
		return;
	va_list ap;
	va_start(ap, fmt);
	printf("    %s [%s]: ", ck->cpu, ck->config);
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
}

static uint32_t reg_val(struct cpuid_value v, unsigned reg)
{
	return reg == CPUID_EAX ? v.eax : reg == CPUID_EBX ? v.ebx : reg == CPUID_ECX ? v.ecx : v.edx;
}

/* What a guest configuration gets: caps from the backend, the permitted state. */
struct config {
	char name[96];
	struct cpuid_backend_caps caps;
	uint64_t xcr0, xss;
};

static bool msr_offered(uint32_t msr)
{
	const struct msr_rule *r = msr_rule_find(msr);
	return r && r->read != MSR_DENY;
}

/* Needs the issue found unmet on real parts, written here independently of the table. */
static const struct {
	uint32_t leaf;
	uint8_t sub, reg, bit;
	uint32_t insns, msr;
	uint64_t xcr0, xss;
} reference_needs[] = {
	{ 1, 0, CPUID_ECX, 3, CPUID_INSN_MONITOR, 0, 0, 0 },
	{ 1, 0, CPUID_ECX, 21, 0, 0x802, 0, 0 },		  /* x2APIC */
	{ 0x80000001u, 0, CPUID_ECX, 29, CPUID_INSN_MONITORX, 0, 0, 0 },
	{ 7, 0, CPUID_ECX, 5, CPUID_INSN_WAITPKG, 0xe1, 0, 0 }, /* WAITPKG */
	{ 0x80000008u, 0, CPUID_EBX, 3, CPUID_INSN_INVLPGB, 0, 0, 0 },
	{ 7, 0, CPUID_ECX, 7, 0, 0x6a2, 0, 0x1800 },		  /* CET shadow stacks */
	{ 7, 0, CPUID_EDX, 20, 0, 0x6a2, 0, 0 },		  /* CET IBT */
	{ 6, 0, CPUID_EAX, 7, 0, 0x770, 0, 0 },			  /* HWP */
	{ 6, 0, CPUID_ECX, 3, 0, 0x1b0, 0, 0 },			  /* EPB */
	{ 7, 0, CPUID_ECX, 31, 0, 0x6e1, 0, 0 },		  /* PKS */
	{ 0xd, 1, CPUID_EAX, 3, CPUID_INSN_XSAVES, 0xda0, 0, 0 }, /* XSAVES */
	{ 0x80000001u, 0, CPUID_EDX, 27, CPUID_INSN_RDTSCP, 0xc0000103u, 0, 0 },
	{ 7, 0, CPUID_ECX, 22, CPUID_INSN_RDPID, 0xc0000103u, 0, 0 },
	{ 7, 0, CPUID_EBX, 10, CPUID_INSN_INVPCID, 0, 0, 0 },
	{ 7, 0, CPUID_EBX, 1, 0, 0x3b, 0, 0 },			  /* TSC_ADJUST */
	{ 7, 0, CPUID_EBX, 2, 0, 0x3a, 0, 0 },			  /* SGX */
	{ 7, 0, CPUID_EDX, 26, 0, 0x48, 0, 0 },			  /* IBRS */
	{ 0x80000008u, 0, CPUID_EBX, 12, 0, 0x49, 0, 0 },	  /* IBPB */
	{ 7, 0, CPUID_ECX, 3, 0, 0, XFEATURE_PKRU, 0 },		  /* PKU */
	{ 7, 0, CPUID_EBX, 16, 0, 0, XFEATURE_AVX512, 0 },
	{ 7, 0, CPUID_EDX, 24, 0, 0, XFEATURE_AMX, 0 },
};

static void check_bit(struct checker *ck, const struct cpuid_feature_set *set, const struct config *c,
		      uint64_t efer, uint32_t leaf, uint32_t sub, unsigned reg, unsigned bit)
{
	const char *rn = cpuid_reg_name(reg);
	bool offered = false, hv_set = false;
	for (size_t i = 0; i < set->count; i++) {
		const struct cpuid_feature *f = &set->entries[i];
		if (f->leaf != leaf || f->subleaf != sub || f->reg != reg || !(f->mask & BIT(bit)))
			continue;
		hv_set |= f->choice == CPUID_HV_SET;
		if (f->choice != CPUID_OFFER)
			continue;
		offered = true;
		if (f->insns & ~c->caps.insns)
			fail(ck, "0x%x.%u %s[%u] %s shown, instruction 0x%x does not run", leaf, sub, rn,
			     bit, f->name, f->insns & ~c->caps.insns);
		if (f->cr4 & ~c->caps.cr4)
			fail(ck, "0x%x.%u %s[%u] %s shown, CR4 0x%llx not settable", leaf, sub, rn, bit,
			     f->name, (unsigned long long)(f->cr4 & ~c->caps.cr4));
		if (f->efer & ~efer)
			fail(ck, "0x%x.%u %s[%u] %s shown, EFER 0x%llx not offered", leaf, sub, rn, bit,
			     f->name, (unsigned long long)(f->efer & ~efer));
		if ((f->xcr0 & ~c->xcr0) || (f->xss & ~c->xss) || (f->xcr0 && !(c->caps.cr4 & BIT(18))))
			fail(ck, "0x%x.%u %s[%u] %s shown, state component not permitted", leaf, sub, rn,
			     bit, f->name);
		for (int m = 0; m < CPUID_MAX_NEED_MSRS && f->msrs[m]; m++)
			if (!msr_offered(f->msrs[m]))
				fail(ck, "0x%x.%u %s[%u] %s shown, MSR 0x%x denied", leaf, sub, rn, bit,
				     f->name, f->msrs[m]);
	}
	if (!offered && !hv_set)
		fail(ck, "0x%x.%u %s[%u] shown but no entry offers it", leaf, sub, rn, bit);
	for (size_t i = 0; i < sizeof(reference_needs) / sizeof(reference_needs[0]); i++) {
		const __typeof__(reference_needs[0]) *r = &reference_needs[i];
		if (r->leaf != leaf || r->sub != sub || r->reg != reg || r->bit != bit)
			continue;
		if ((r->insns & ~c->caps.insns) || (r->msr && !msr_offered(r->msr)) ||
		    (r->xcr0 & ~c->xcr0) || (r->xss & ~c->xss))
			fail(ck, "0x%x.%u %s[%u] shown although it would fault (reference needs)", leaf,
			     sub, rn, bit);
	}
}

/* The size of a standard-format XSAVE area for mask, from the host's own sub-leaves. */
static uint32_t std_size(const struct cpuid_dump *d, uint64_t mask)
{
	uint32_t size = 576;
	for (unsigned i = 2; i < 63; i++) {
		struct cpuid_value c = cpuid_dump_get(d, 0xd, i);
		if ((mask & BIT(i)) && !(c.ecx & 1) && c.ebx + c.eax > size)
			size = c.ebx + c.eax;
	}
	return size;
}

/* The same in the compacted format (SDM vol. 1 13.4.3). */
static uint32_t compacted_size(const struct cpuid_dump *d, uint64_t mask)
{
	uint32_t size = 576;
	for (unsigned i = 2; i < 63; i++) {
		struct cpuid_value c = cpuid_dump_get(d, 0xd, i);
		if (!(mask & BIT(i)))
			continue;
		if (c.ecx & 2)
			size = (size + 63) / 64 * 64;
		size += c.eax;
	}
	return size;
}

static void check_xsave(struct checker *ck, const struct cpuid_dump *d, const struct cpuid_table *t,
			const struct config *c)
{
	struct cpuid_value h0 = cpuid_dump_get(d, 0xd, 0), h1 = cpuid_dump_get(d, 0xd, 1);
	uint64_t host_user = ((uint64_t)h0.edx << 32) | h0.eax, host_sup = ((uint64_t)h1.edx << 32) | h1.ecx;
	struct cpuid_value g0 = cpuid_lookup(t, 0xd, 0), g1 = cpuid_lookup(t, 0xd, 1);
	if (!(cpuid_lookup(t, 1, 0).ecx & CPUID_1_ECX_XSAVE))
		return;
	uint64_t described = 3;
	for (unsigned i = 2; i < 63; i++)
		described |= cpuid_dump_get(d, 0xd, i).eax ? BIT(i) : 0;
	uint64_t permitted = c->xcr0 & host_user & described;
	if ((((uint64_t)g0.edx << 32) | g0.eax) != permitted)
		fail(ck, "(0xD,0) EDX:EAX 0x%x%08x, permitted & host 0x%llx", g0.edx, g0.eax,
		     (unsigned long long)permitted);
	if (g0.ecx != std_size(d, permitted))
		fail(ck, "(0xD,0) ECX %u, the permitted set needs %u", g0.ecx, std_size(d, permitted));
	if ((((uint64_t)g1.edx << 32) | g1.ecx) != (c->xss & host_sup & described))
		fail(ck, "(0xD,1) EDX:ECX 0x%x%08x, permitted XSS 0x%llx", g1.edx, g1.ecx,
		     (unsigned long long)(c->xss & host_sup));
	for (unsigned i = 2; i < 64; i++) {
		struct cpuid_value g = cpuid_lookup(t, 0xd, i), h = cpuid_dump_get(d, 0xd, i);
		bool ok = (permitted | (c->xss & host_sup & described)) & BIT(i);
		if (!ok && (g.eax | g.ebx | g.ecx | g.edx))
			fail(ck, "(0xD,%u) shown for a component not permitted", i);
		if (ok && memcmp(&g, &h, sizeof(g)))
			fail(ck, "(0xD,%u) differs from the host's", i);
	}
	/* EBX follows the guest's XCR0 through the lookup path used at run time; the expected
	 * sizes are cross-checked against the XSAVE allocator's layout of the same CPU. */
	struct xsave_layout l;
	cpuid_dump_select(d);
	if (xsave_layout_init(&l, cpuid_dump_source))
		l.valid = false; /* the allocator refuses this CPU: nothing to cross-check */
	const uint64_t xcr0s[] = { 1, 3, 7, 0xe7, 0x207, 0x602e7, permitted };
	for (size_t i = 0; i < sizeof(xcr0s) / sizeof(xcr0s[0]); i++) {
		uint64_t x = xcr0s[i];
		if ((x & permitted) != x || !xcr0_valid(x, permitted))
			continue;
		if (l.valid && (xsave_std_size(&l, x) != std_size(d, x) ||
				xsave_compacted_size(&l, x) != compacted_size(d, x)))
			fail(ck, "size model disagrees with xsave_layout for XCR0 0x%llx",
			     (unsigned long long)x);
		struct cpuid_value r = g0, r1 = g1;
		cpuid_xsave_dynamic(t, x, c->xss, 0, &r);
		cpuid_xsave_dynamic(t, x, c->xss, 1, &r1);
		if (r.ebx != std_size(d, x))
			fail(ck, "(0xD,0) EBX %u for XCR0 0x%llx, expected %u", r.ebx,
			     (unsigned long long)x, std_size(d, x));
		if ((g1.eax & (CPUID_D1_EAX_XSAVEC | CPUID_D1_EAX_XSAVES)) &&
		    r1.ebx != compacted_size(d, x | c->xss))
			fail(ck, "(0xD,1) EBX %u for XCR0 0x%llx, expected %u", r1.ebx,
			     (unsigned long long)x, compacted_size(d, x | c->xss));
	}
}

static void check_table(struct checker *ck, const struct cpuid_dump *d,
			const struct cpuid_feature_set *set, const struct config *c)
{
	static struct cpuid_table t;
	cpuid_dump_select(d);
	struct cpuid_guest_info g = { 1, 64 << 20, c->xcr0, c->xss, c->caps, set, 2500000, 2500000 };
	cpuid_table_build(&t, cpuid_dump_source, &g);
	uint32_t max_ext = cpuid_dump_get(d, 0x80000000u, 0).eax;
	uint64_t efer = efer_guest_allowed(max_ext >= 0x80000001u ? cpuid_dump_get(d, 0x80000001u, 0).edx : 0);
	for (size_t i = 0; i < cpuid_feature_reg_count; i++) {
		const struct cpuid_feature_reg *r = &cpuid_feature_regs[i];
		uint32_t host = reg_val(cpuid_dump_get(d, r->leaf, r->subleaf), r->reg);
		uint32_t guest = reg_val(cpuid_lookup(&t, r->leaf, r->subleaf), r->reg);
		uint32_t uncovered = host & ~cpuid_feature_covered(set, r->leaf, r->subleaf, r->reg);
		if (uncovered)
			fail(ck, "0x%x.%u %s: host bits 0x%x have no table entry", r->leaf, r->subleaf,
			     cpuid_reg_name(r->reg), uncovered);
		for (unsigned b = 0; b < 32; b++)
			if (guest & BIT(b))
				check_bit(ck, set, c, efer, r->leaf, r->subleaf, r->reg, b);
		for (size_t k = 0; k < set->count; k++) {
			const struct cpuid_feature *f = &set->entries[k];
			if (f->choice == CPUID_DYNAMIC && f->leaf == r->leaf && f->subleaf == r->subleaf &&
			    f->reg == r->reg && (guest & f->mask))
				fail(ck, "dynamic bit %s set in the table", f->name);
			if (f->choice == CPUID_OFFER && f->leaf == r->leaf && f->subleaf == r->subleaf &&
			    f->reg == r->reg && (host & f->mask) && !(guest & f->mask) &&
			    !cpuid_feature_unmet(f, &(struct cpuid_need_env){ c->caps, efer, c->xcr0, c->xss }))
				fail(ck, "%s offered, needs met, host has it, but hidden", f->name);
		}
	}
	for (size_t i = 0; i < cpuid_leaf_rule_count; i++) {
		const struct cpuid_leaf_rule *r = &cpuid_leaf_rules[i];
		uint32_t dep = r->dep_mask ? reg_val(cpuid_lookup(&t, r->dep_leaf, r->dep_subleaf), r->dep_reg) : 0;
		for (uint32_t s = 0; !(dep & r->dep_mask) && s < 4; s++) {
			struct cpuid_value v = cpuid_lookup(&t, r->leaf, s);
			if (v.eax | v.ebx | v.ecx | v.edx)
				fail(ck, "leaf 0x%x.%u shown without its feature (%s)", r->leaf, s, r->why);
		}
	}
	check_xsave(ck, d, &t, c);
}

/* Run every backend configuration the CPU's vendor implies. */
static void check_cpu(struct checker *ck, const struct cpuid_dump *d, const struct cpuid_feature_set *set)
{
	struct cpuid_value h0 = cpuid_dump_get(d, 0xd, 0);
	uint64_t supported = ((uint64_t)h0.edx << 32) | h0.eax;
	for (unsigned i = 2; i < 63; i++) /* components listed but not described are not usable */
		if (!cpuid_dump_get(d, 0xd, i).eax)
			supported &= ~BIT(i);
	const uint64_t xcr0s[] = { xcr0_guest_allowed(supported, false, 0), supported, 3 };
	ck->cpu = d->name;
	for (size_t x = 0; x < (ck->quick ? 1u : 3u); x++) {
		struct config c = { .xcr0 = xcr0s[x] & supported, .xss = 0 };
		if (cpuid_dump_is_amd(d)) {
			struct vmcb_control vc = { 0 };
			bool invlpgb = cpuid_dump_get(d, 0x80000008u, 0).ebx & BIT(3);
			svm_intercepts_init(&vc, invlpgb);
			svm_cpuid_caps(&vc, &c.caps);
			snprintf(c.name, sizeof(c.name), "svm xcr0 0x%llx", (unsigned long long)c.xcr0);
			ck->config = c.name;
			check_table(ck, d, set, &c);
			continue;
		}
		static const uint32_t ctl[] = { PROC2_ENABLE_RDTSCP, PROC2_ENABLE_INVPCID, PROC2_ENABLE_XSAVES,
						PROC2_ENABLE_USER_WAIT_PAUSE, PROC2_ENABLE_PCONFIG };
		for (unsigned m = ck->quick ? 31 : 0; m < 1u << 5; m++) {
			struct vmx_controls vc = { .proc = PROC_MONITOR_EXITING | PROC_MWAIT_EXITING };
			for (unsigned k = 0; k < 5; k++)
				vc.proc2 |= (m >> k) & 1 ? ctl[k] : 0;
			/* CR4_FIXED1: every bit, or only the pre-2010 ones (no PCIDE/SMEP/PKE/...). */
			uint64_t fixed1 = (m & 1) ? 0x3ffffffull | BIT(32) : 0x7ffull;
			vmx_cpuid_caps(&vc, fixed1, &c.caps);
			snprintf(c.name, sizeof(c.name), "vmx proc2 0x%x cr4 0x%llx xcr0 0x%llx", vc.proc2,
				 (unsigned long long)fixed1, (unsigned long long)c.xcr0);
			ck->config = c.name;
			check_table(ck, d, set, &c);
		}
	}
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

TEST(cpuid_policy_over_every_real_cpu_dump)
{
	DIR *dir = opendir(CPUID_DUMP_DIR);
	REQUIRE(dir != NULL); /* run from the repository root: ../shared/cpuid must exist */
	char *names[256];
	size_t n = 0;
	for (struct dirent *e; (e = readdir(dir)) && n < 256;) {
		size_t len = strlen(e->d_name);
		if (len > 4 && !strcmp(e->d_name + len - 4, ".txt"))
			names[n++] = strcpy(malloc(len + 1), e->d_name);
	}
	closedir(dir);
	CHECK(n >= 10); /* the ten dumps of ../shared/cpuid/README.md, at least */
	qsort(names, n, sizeof(names[0]), cmp_names);
	static struct cpuid_dump d;
	for (size_t i = 0; i < n; i++) {
		char path[512], err[600];
		snprintf(path, sizeof(path), "%s/%s", CPUID_DUMP_DIR, names[i]);
		struct checker ck = { 0 };
		if (cpuid_dump_load(&d, path, err, sizeof(err))) {
			printf("    %s\n", err);
			CHECK(!"a dump file could not be read");
		} else {
			check_cpu(&ck, &d, &cpuid_feature_default);
			CHECK_EQ(ck.failures, 0);
		}
		free(names[i]);
	}
}

TEST(cpuid_policy_synthetic_cpu_with_every_feature)
{
	static struct cpuid_dump d;
	for (int amd = 0; amd < 2; amd++) {
		cpuid_dump_synthetic(&d, &cpuid_feature_default, amd);
		struct checker ck = { 0 };
		check_cpu(&ck, &d, &cpuid_feature_default);
		CHECK_EQ(ck.failures, 0);
	}
}

/* The table cannot lose an entry unnoticed: without any one of them, the checks fail. */
TEST(cpuid_policy_every_table_entry_is_needed)
{
	static struct cpuid_dump intel, amd;
	cpuid_dump_synthetic(&intel, &cpuid_feature_default, false);
	cpuid_dump_synthetic(&amd, &cpuid_feature_default, true);
	struct cpuid_feature *copy = malloc(cpuid_feature_count * sizeof(*copy));
	for (size_t skip = 0; skip < cpuid_feature_count; skip++) {
		size_t n = 0;
		for (size_t i = 0; i < cpuid_feature_count; i++)
			if (i != skip)
				copy[n++] = cpuid_features[i];
		struct cpuid_feature_set set = { copy, n };
		struct checker ck = { .quiet = true, .quick = true };
		check_cpu(&ck, &intel, &set);
		check_cpu(&ck, &amd, &set);
		if (!ck.failures)
			printf("    removing entry %zu (%s) went unnoticed\n", skip, cpuid_features[skip].name);
		CHECK(ck.failures > 0);
	}
	free(copy);
}

TEST(cpuid_doc_matches_table)
{
	bool same = false;
	char *gen = doc_generate_and_compare("docs/cpuid-policy.md", cpuid_policy_markdown, &same);
	REQUIRE(gen != NULL); /* run from the repository root */
	CHECK(same); /* if this fails: make cpuid-doc */
	CHECK(strstr(gen, "| MONITORX | hide |") != NULL);
	free(gen);
}

/* A component the CPU lists in (0xD,0) without describing it in (0xD,i) is not shown, nor
 * the features that need it (Bochs tigerlake lists PKRU with an empty (0xD,9)). */
TEST(cpuid_policy_hides_state_components_without_a_subleaf)
{
	static struct cpuid_dump d;
	cpuid_dump_synthetic(&d, &cpuid_feature_default, false);
	for (size_t i = 0; i < d.n; i++)
		if (d.e[i].leaf == 0xd && d.e[i].subleaf == 9)
			d.e[i].v = (struct cpuid_value){ 0, 0, 0, 0 };
	static struct cpuid_table t;
	cpuid_dump_select(&d);
	struct cpuid_guest_info g = { 0, 1 << 20, ~0ull, 0, { ~0u, ~0ull }, NULL, 0, 0 };
	cpuid_table_build(&t, cpuid_dump_source, &g);
	CHECK(cpuid_lookup(&t, 0xd, 0).eax & BIT(2));
	CHECK(!(cpuid_lookup(&t, 0xd, 0).eax & BIT(9)));
	CHECK(!(cpuid_lookup(&t, 7, 0).ecx & CPUID_7_ECX_PKU));
	CHECK(cpuid_lookup(&t, 7, 0).ebx & BIT(16)); /* AVX-512 still there */
	struct checker ck = { 0 };
	check_cpu(&ck, &d, &cpuid_feature_default);
	CHECK_EQ(ck.failures, 0);
}
