/* Builds a guest's CPUID view (see cpuid_policy.h for when it is used). */
#include "arch/x86/efer.h"
#include "hv/cpuid_policy.h"
#include "hv/lib.h"

static void add_indexed(struct cpuid_table *t, uint32_t leaf, uint32_t sub, struct cpuid_value v)
{
	if (t->nindexed < CPUID_INDEXED_MAX)
		t->indexed[t->nindexed++] = (struct cpuid_indexed){ leaf, sub, v };
}

/* A single-thread, single-core topology: the guest has exactly one vCPU (leaves 0xB/0x1F). */
static void add_topology(struct cpuid_table *t, uint32_t leaf)
{
	add_indexed(t, leaf, 0, (struct cpuid_value){ 0, 1, (1u << 8) | 0, 0 });
	add_indexed(t, leaf, 1, (struct cpuid_value){ 0, 1, (2u << 8) | 1, 0 });
	t->basic[leaf] = (struct cpuid_value){ 0, 1, (1u << 8), 0 };
	t->indexed_leaves |= 1u << leaf;
}

static void add_subleaves(struct cpuid_table *t, cpuid_source_fn host, uint32_t leaf, uint32_t count)
{
	for (uint32_t s = 0; s < count; s++) {
		struct cpuid_value v = host(leaf, s);
		if (leaf == 4 && (v.eax & 0x1f) == 0)
			break; /* cache type 0: no more caches */
		if (leaf == 4)
			v.eax &= 0x3ff; /* one core sharing each cache (bits 31:26, 25:14 = 0) */
		if (s > 0 && !v.eax && !v.ebx && !v.ecx && !v.edx)
			continue;
		add_indexed(t, leaf, s, v);
	}
	t->indexed_leaves |= 1u << leaf;
}

static uint32_t *value_reg(struct cpuid_value *v, unsigned reg)
{
	switch (reg) {
	case CPUID_EAX:
		return &v->eax;
	case CPUID_EBX:
		return &v->ebx;
	case CPUID_ECX:
		return &v->ecx;
	default:
		return &v->edx;
	}
}

static struct cpuid_value *table_slot(struct cpuid_table *t, uint32_t leaf, uint32_t subleaf)
{
	if (leaf <= t->max_basic) {
		if (!(t->indexed_leaves & (1u << leaf)))
			return subleaf == 0 ? &t->basic[leaf] : NULL;
		for (uint32_t i = 0; i < t->nindexed; i++)
			if (t->indexed[i].leaf == leaf && t->indexed[i].subleaf == subleaf)
				return &t->indexed[i].v;
		return NULL;
	}
	if (leaf >= 0x80000000u && t->max_ext && leaf <= t->max_ext && subleaf == 0)
		return &t->ext[leaf - 0x80000000u];
	return NULL;
}

uint32_t *cpuid_table_reg(struct cpuid_table *t, uint32_t leaf, uint32_t subleaf, unsigned reg)
{
	struct cpuid_value *v = table_slot(t, leaf, subleaf);
	return v ? value_reg(v, reg) : NULL;
}

uint32_t cpuid_xsave_size(const struct cpuid_table *t, uint64_t mask)
{
	uint32_t size = 576; /* legacy area and XSAVE header (SDM vol. 1 13.4) */
	for (uint32_t i = 0; i < t->nindexed; i++) {
		const struct cpuid_indexed *e = &t->indexed[i];
		/* (0xD, i), i >= 2: EAX size, EBX offset; ECX[0] set for supervisor state. */
		if (e->leaf == 0xd && e->subleaf >= 2 && e->subleaf < 63 && (mask & BIT(e->subleaf)) &&
		    !(e->v.ecx & 1))
			size = MAX(size, e->v.ebx + e->v.eax);
	}
	return size;
}

uint32_t cpuid_xsave_compacted_size(const struct cpuid_table *t, uint64_t mask)
{
	/* SDM vol. 1 13.4.3: components in index order from 576, each aligned to 64 when its
	 * (0xD, i).ECX[1] is set. */
	uint32_t size = 576;
	for (uint32_t i = 2; i < 63; i++) {
		if (!(mask & BIT(i)))
			continue;
		for (uint32_t k = 0; k < t->nindexed; k++) {
			const struct cpuid_indexed *e = &t->indexed[k];
			if (e->leaf != 0xd || e->subleaf != i)
				continue;
			if (e->v.ecx & 2)
				size = (size + 63) & ~63u;
			size += e->v.eax;
		}
	}
	return size;
}

void cpuid_xsave_dynamic(const struct cpuid_table *t, uint64_t xcr0, uint64_t xss, uint32_t subleaf,
			 struct cpuid_value *r)
{
	if (subleaf == 0 && r->eax) /* EAX is 0 when the view hides XSAVE */
		r->ebx = cpuid_xsave_size(t, xcr0);
	else if (subleaf == 1 && (r->eax & (CPUID_D1_EAX_XSAVEC | CPUID_D1_EAX_XSAVES)))
		r->ebx = cpuid_xsave_compacted_size(t, xcr0 | xss);
}

static void zero_leaf(struct cpuid_table *t, uint32_t leaf)
{
	for (uint32_t i = 0; i < t->nindexed; i++)
		if (t->indexed[i].leaf == leaf)
			t->indexed[i].v = (struct cpuid_value){ 0, 0, 0, 0 };
	struct cpuid_value *v = table_slot(t, leaf, 0);
	if (v)
		*v = (struct cpuid_value){ 0, 0, 0, 0 };
}

/*
 * Every feature register through the feature table (an allowlist: what no entry offers is
 * cleared). The hypervisor-set bits (1.ECX[31]) are set whatever the host has. Then (after
 * leaf 0xD is fitted to the permitted state) the leaves that only describe a hidden
 * feature are cleared.
 */
static void apply_features(struct cpuid_table *t, const struct cpuid_feature_set *set,
			   const struct cpuid_need_env *env)
{
	for (size_t i = 0; i < cpuid_feature_reg_count; i++) {
		const struct cpuid_feature_reg *r = &cpuid_feature_regs[i];
		uint32_t *p = cpuid_table_reg(t, r->leaf, r->subleaf, r->reg);
		if (!p)
			continue;
		uint32_t forced = 0;
		for (size_t k = 0; k < set->count; k++) {
			const struct cpuid_feature *f = &set->entries[k];
			if (f->choice == CPUID_HV_SET && f->leaf == r->leaf && f->subleaf == r->subleaf &&
			    f->reg == r->reg)
				forced |= f->mask;
		}
		*p = ((*p & cpuid_feature_allowed(set, r->leaf, r->subleaf, r->reg, env)) | forced);
	}
}

static void apply_leaf_rules(struct cpuid_table *t)
{
	for (size_t i = 0; i < cpuid_leaf_rule_count; i++) {
		const struct cpuid_leaf_rule *r = &cpuid_leaf_rules[i];
		uint32_t *dep = r->dep_mask ? cpuid_table_reg(t, r->dep_leaf, r->dep_subleaf, r->dep_reg)
					    : NULL;
		if (!dep || !(*dep & r->dep_mask))
			zero_leaf(t, r->leaf);
	}
}

/* x87, SSE, and every component i >= 2 whose (0xD, i) gives a size. */
static uint64_t xsave_described(const struct cpuid_table *t)
{
	uint64_t m = BIT(0) | BIT(1);
	for (uint32_t i = 0; i < t->nindexed; i++) {
		const struct cpuid_indexed *e = &t->indexed[i];
		if (e->leaf == 0xd && e->subleaf >= 2 && e->subleaf < 63 && e->v.eax)
			m |= BIT(e->subleaf);
	}
	return m;
}

/*
 * Leaf 0xD agrees with the XCR0 and IA32_XSS bits the guest may set (Intel SDM vol. 1
 * 13.2, 13.3): (0xD,0) EAX/EDX the permitted user components, ECX the area they need
 * (EBX, for the current XCR0, is computed at lookup time: hv/xstate.c), (0xD,1) ECX/EDX
 * the permitted supervisor components, and nothing of the others.
 */
static void apply_xsave(struct cpuid_table *t, uint64_t xcr0, uint64_t xss)
{
	for (uint32_t i = 0; i < t->nindexed; i++) {
		struct cpuid_indexed *e = &t->indexed[i];
		if (e->leaf != 0xd)
			continue;
		if (e->subleaf == 0) {
			e->v.eax &= (uint32_t)xcr0;
			e->v.edx &= (uint32_t)(xcr0 >> 32);
			e->v.ecx = cpuid_xsave_size(t, xcr0 & (((uint64_t)e->v.edx << 32) | e->v.eax));
			e->v.ebx = 576; /* XCR0 = x87 at reset; at run time: cpuid_xsave_dynamic */
		} else if (e->subleaf == 1) {
			e->v.ecx &= (uint32_t)xss;
			e->v.edx &= (uint32_t)(xss >> 32);
			e->v.ebx = 0; /* at run time: cpuid_xsave_dynamic */
		} else if (e->subleaf >= 64 || !((xcr0 | xss) & BIT(e->subleaf))) {
			e->v = (struct cpuid_value){ 0, 0, 0, 0 };
		}
	}
}

static bool is_intel(struct cpuid_value l0)
{
	return l0.ebx == 0x756e6547u && l0.edx == 0x49656e69u && l0.ecx == 0x6c65746eu; /* GenuineIntel */
}

/*
 * The frequency leaves (docs/interrupts.md: the guest learns its clocks from CPUID and
 * never calibrates against a PIT). Leaf 0x15 (Intel SDM vol. 2A CPUID): TSC Hz = ECX * EBX /
 * EAX with ECX the crystal clock. The APIC timer's input here is the TSC itself, and Linux
 * takes the crystal for the APIC timer's clock, so the "crystal" is the TSC: EAX = EBX = 1,
 * ECX = TSC Hz, exact (the calibration gives whole kHz). A TSC at or above 2^32 Hz does not
 * fit ECX: ECX then reads 0 ("not enumerated") and the guest uses 0x16 or 0x40000010. Leaf
 * 0x16: base and maximum MHz (the TSC rate), bus (reference) MHz = the APIC timer's clock.
 * Shown on Intel only (AMD defines neither); the basic range grows to 0x16 for them.
 */
static void add_frequency_leaves(struct cpuid_table *t, const struct cpuid_guest_info *g)
{
	if (!g->tsc_khz)
		return;
	uint64_t bus_khz = g->bus_khz ? g->bus_khz : g->tsc_khz;
	t->hv_freq = (struct cpuid_value){ (uint32_t)g->tsc_khz, (uint32_t)bus_khz, 0, 0 };
	if (!is_intel(t->basic[0]))
		return;
	if (t->max_basic < 0x16)
		t->max_basic = 0x16;
	uint64_t hz = g->tsc_khz * 1000;
	t->basic[0x15] = (struct cpuid_value){ 1, 1, hz >> 32 ? 0 : (uint32_t)hz, 0 };
	uint32_t mhz = (uint32_t)MIN(g->tsc_khz / 1000, 0xffffull);
	uint32_t bus_mhz = (uint32_t)MIN(bus_khz / 1000, 0xffffull);
	t->basic[0x16] = (struct cpuid_value){ mhz, mhz, bus_mhz, 0 };
}

void cpuid_table_build(struct cpuid_table *t, cpuid_source_fn host, const struct cpuid_guest_info *g)
{
	memset(t, 0, sizeof(*t));
	struct cpuid_value l0 = host(0, 0);
	t->max_basic = MIN(l0.eax, (uint32_t)CPUID_BASIC_MAX - 1);
	for (uint32_t leaf = 0; leaf <= t->max_basic; leaf++) {
		switch (leaf) {
		case 4:
			add_subleaves(t, host, 4, 8);
			break;
		case 7:
			add_subleaves(t, host, 7, MIN(host(7, 0).eax + 1, 4u));
			break;
		case 0xb:
		case 0x1f:
			add_topology(t, leaf);
			continue;
		case 0xd:
			add_subleaves(t, host, 0xd, 64);
			break;
		case 0xf:
		case 0x10:
			add_subleaves(t, host, leaf, 4);
			break;
		case 0x12:
		case 0x14:
		case 0x17:
		case 0x18:
		case 0x1d:
		case 0x1e:
			add_subleaves(t, host, leaf, 2);
			break;
		default:
			break;
		}
		t->basic[leaf] = host(leaf, 0);
	}
	t->basic[0] = l0;
	t->basic[0].eax = t->max_basic;

	struct cpuid_value *l1 = &t->basic[1];
	l1->ebx &= 0x0000ffff; /* initial APIC ID 0, one logical processor */
	l1->ebx |= 1u << 16;

	struct cpuid_value e0 = host(0x80000000u, 0);
	t->max_ext = e0.eax >= 0x80000000u ? MIN(e0.eax, 0x80000000u + CPUID_EXT_MAX - 1) : 0;
	for (uint32_t i = 0; t->max_ext && i <= t->max_ext - 0x80000000u; i++)
		t->ext[i] = host(0x80000000u + i, 0);
	t->ext[0].eax = t->max_ext;
	if (t->max_ext >= 0x80000008u)
		t->ext[8].ecx &= ~0xf0ffu; /* one core: NC = 0, APIC ID size 0 */

	/* A state component is shown only with its sub-leaf (seen: Bochs tigerlake enumerates
	 * PKRU in (0xD,0).EAX with an empty (0xD,9)). */
	uint64_t xcr0 = g->xcr0_allowed & xsave_described(t);
	uint64_t xss = g->xss_allowed & xsave_described(t);
	struct cpuid_need_env env = {
		.caps = g->caps,
		.efer = efer_guest_allowed(t->max_ext >= 0x80000001u ? t->ext[1].edx : 0),
		.xcr0 = xcr0,
		.xss = xss,
	};
	apply_features(t, g->features ? g->features : &cpuid_feature_default, &env);
	apply_xsave(t, xcr0, xss);
	apply_leaf_rules(t);
	t->nx_offered = t->max_ext >= 0x80000001u && (t->ext[1].edx & BIT(20));
	t->apic_offered = ((t->basic[1].edx & BIT(9)) ? 1 : 0) |
			  ((t->max_ext >= 0x80000001u && (t->ext[1].edx & BIT(9))) ? 2 : 0);
	if (t->max_basic >= 7)
		t->basic[7] = cpuid_lookup(t, 7, 0);
	add_frequency_leaves(t, g);
	t->basic[0].eax = t->max_basic;

	static const char sig[12] = CPUID_HV_SIGNATURE;
	t->hv[0].eax = CPUID_HV_FREQ_LEAF;
	memcpy(&t->hv[0].ebx, sig, 4);
	memcpy(&t->hv[0].ecx, sig + 4, 4);
	memcpy(&t->hv[0].edx, sig + 8, 4);
	t->hv[1] = (struct cpuid_value){ 1, g->cpu, (uint32_t)(g->mem_bytes >> 20), 0 };
}

void cpuid_apply_misc_enable(struct cpuid_table *t, bool limit_maxval, bool xd_disable)
{
	t->basic[0].eax = limit_maxval ? MIN(t->max_basic, 2u) : t->max_basic;
	if (t->nx_offered)
		t->ext[1].edx = xd_disable ? t->ext[1].edx & ~BIT(20) : t->ext[1].edx | BIT(20);
}

void cpuid_apply_apic_enable(struct cpuid_table *t, bool enabled)
{
	if (enabled) {
		t->basic[1].edx |= t->apic_offered & 1 ? BIT(9) : 0;
		if (t->max_ext >= 0x80000001u)
			t->ext[1].edx |= t->apic_offered & 2 ? BIT(9) : 0;
	} else {
		t->basic[1].edx &= ~(uint32_t)BIT(9);
		if (t->max_ext >= 0x80000001u)
			t->ext[1].edx &= ~(uint32_t)BIT(9);
	}
}

struct cpuid_value cpuid_lookup(const struct cpuid_table *t, uint32_t leaf, uint32_t subleaf)
{
	if (leaf <= t->max_basic) {
		if (!(t->indexed_leaves & (1u << leaf)))
			return t->basic[leaf];
		for (uint32_t i = 0; i < t->nindexed; i++)
			if (t->indexed[i].leaf == leaf && t->indexed[i].subleaf == subleaf)
				return t->indexed[i].v;
		/* Topology leaves echo the subleaf in ECX[7:0] even past the last level. */
		if (leaf == 0xb || leaf == 0x1f)
			return (struct cpuid_value){ 0, 0, subleaf & 0xff, 0 };
		return (struct cpuid_value){ 0, 0, 0, 0 };
	}
	if (leaf - CPUID_HV_BASE < 2)
		return t->hv[leaf - CPUID_HV_BASE];
	if (leaf == CPUID_HV_FREQ_LEAF)
		return t->hv_freq;
	if (leaf >= 0x80000000u && t->max_ext && leaf <= t->max_ext)
		return t->ext[leaf - 0x80000000u];
	return (struct cpuid_value){ 0, 0, 0, 0 };
}
