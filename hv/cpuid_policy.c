/* Builds a guest's CPUID view (see cpuid_policy.h for when it is used). */
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
		if (leaf == 7 && s == 0) {
			v.ebx &= ~(CPUID_7_EBX_TSC_ADJUST | CPUID_7_EBX_SGX);
		}
		if (s > 0 && !v.eax && !v.ebx && !v.ecx && !v.edx)
			continue;
		add_indexed(t, leaf, s, v);
	}
	t->indexed_leaves |= 1u << leaf;
}

/*
 * Make the feature leaves agree with the XCR0 bits the guest may set (Intel SDM
 * vol. 1 13.2: software must not use a feature whose state component XCR0
 * cannot enable), and hide what the MSR policy does not offer.
 */
static void apply_xcr0_policy(struct cpuid_table *t, uint64_t allowed)
{
	struct cpuid_value *l1 = &t->basic[1];
	if (!(allowed & BIT(2)))
		l1->ecx &= ~(CPUID_1_ECX_AVX | CPUID_1_ECX_FMA | CPUID_1_ECX_F16C);
	for (uint32_t i = 0; i < t->nindexed; i++) {
		struct cpuid_indexed *e = &t->indexed[i];
		if (e->leaf == 7 && e->subleaf == 0) {
			if (!(allowed & BIT(2)))
				e->v.ebx &= ~CPUID_7_EBX_AVX2;
			if ((allowed & 0xe0) != 0xe0) {
				e->v.ebx &= ~CPUID_7_EBX_AVX512_MASK;
				e->v.ecx &= ~CPUID_7_ECX_AVX512_MASK;
				e->v.edx &= ~CPUID_7_EDX_AVX512_MASK;
			}
			if ((allowed & 0x18) != 0x18)
				e->v.ebx &= ~CPUID_7_EBX_MPX;
			if (!(allowed & BIT(9)))
				e->v.ecx &= ~CPUID_7_ECX_PKU;
			if ((allowed & 0x60000) != 0x60000)
				e->v.edx &= ~CPUID_7_EDX_AMX_MASK;
			e->v.edx &= ~CPUID_7_EDX_HIDDEN;
		} else if (e->leaf == 0xd && e->subleaf == 0) {
			/* EBX (size for the current XCR0) is computed at lookup time: see
			 * hv/xstate.c. ECX: the largest area the permitted set needs. */
			e->v.eax &= (uint32_t)allowed;
			e->v.edx &= (uint32_t)(allowed >> 32);
		} else if (e->leaf == 0xd && e->subleaf == 1) {
			e->v.eax &= ~CPUID_D1_EAX_XFD; /* set again by xstate.c when XFD is wired */
			e->v.ecx = e->v.edx = 0;        /* no supervisor state (IA32_XSS) for guests */
		} else if (e->leaf == 0xd && e->subleaf >= 2 && e->subleaf < 64 &&
			   !(allowed & BIT(e->subleaf))) {
			e->v = (struct cpuid_value){ 0, 0, 0, 0 };
		} else if ((e->leaf == 0x1d || e->leaf == 0x1e) && (allowed & 0x60000) != 0x60000) {
			e->v = (struct cpuid_value){ 0, 0, 0, 0 };
		}
	}
	if (t->max_basic >= 7)
		t->basic[7] = cpuid_lookup(t, 7, 0);
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
		case 0x14:
		case 0x17:
		case 0x18:
		case 0x1d:
		case 0x1e:
			add_subleaves(t, host, leaf, 2);
			break;
		case 0xa: /* no virtual PMU */
		case 0x12: /* no SGX */
			continue;
		default:
			break;
		}
		t->basic[leaf] = host(leaf, 0);
	}
	t->basic[0] = l0;
	t->basic[0].eax = t->max_basic;

	struct cpuid_value *l1 = &t->basic[1];
	l1->ecx &= ~(CPUID_1_ECX_MONITOR | CPUID_1_ECX_VMX | CPUID_1_ECX_SMX | CPUID_1_ECX_PDCM |
		     CPUID_1_ECX_X2APIC | CPUID_1_ECX_TSC_DEADLINE | CPUID_1_ECX_OSXSAVE);
	l1->ecx |= CPUID_1_ECX_HYPERVISOR;
	l1->ebx &= 0x0000ffff; /* initial APIC ID 0, one logical processor */
	l1->ebx |= 1u << 16;
	apply_xcr0_policy(t, g->xcr0_allowed);

	struct cpuid_value e0 = host(0x80000000u, 0);
	t->max_ext = e0.eax >= 0x80000000u ? MIN(e0.eax, 0x80000000u + CPUID_EXT_MAX - 1) : 0;
	for (uint32_t i = 0; t->max_ext && i <= t->max_ext - 0x80000000u; i++) {
		uint32_t leaf = 0x80000000u + i;
		if (leaf == 0x8000000au) /* SVM features: hidden */
			continue;
		t->ext[i] = host(leaf, 0);
	}
	t->ext[0].eax = t->max_ext;
	/* Features whose EFER bit or MSR the guest is not given: a guest would enable them,
	 * get #GP, and (Linux's msr_set_bit swallows it) believe itself protected. */
	t->ext[1].ecx &= ~(CPUID_81_ECX_SVM | CPUID_81_ECX_TCE);
	if (t->max_ext >= 0x80000008u) {
		t->ext[8].ecx &= ~0xf0ffu; /* one core: NC = 0, APIC ID size 0 */
		t->ext[8].ebx &= ~CPUID_88_EBX_HIDDEN;
	}
	if (t->max_ext >= 0x80000021u)
		t->ext[0x21].eax &= ~CPUID_8021_EAX_AUTOIBRS;

	static const char sig[12] = CPUID_HV_SIGNATURE;
	t->hv[0].eax = CPUID_HV_BASE + 1;
	memcpy(&t->hv[0].ebx, sig, 4);
	memcpy(&t->hv[0].ecx, sig + 4, 4);
	memcpy(&t->hv[0].edx, sig + 8, 4);
	t->hv[1] = (struct cpuid_value){ 1, g->cpu, (uint32_t)(g->mem_bytes >> 20), 0 };
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
	if (leaf >= 0x80000000u && t->max_ext && leaf <= t->max_ext)
		return t->ext[leaf - 0x80000000u];
	return (struct cpuid_value){ 0, 0, 0, 0 };
}
