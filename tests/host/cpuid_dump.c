/* CPUID dump files and the synthetic all-features CPU (see cpuid_dump.h). */
#include <stdio.h>
#include <string.h>
#include "tests/host/cpuid_dump.h"

static const struct cpuid_dump *selected;

static int add(struct cpuid_dump *d, uint32_t leaf, uint32_t sub, struct cpuid_value v)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->e[i].leaf == leaf && d->e[i].subleaf == sub) {
			d->e[i].v = v;
			return 0;
		}
	if (d->n == CPUID_DUMP_MAX_ENTRIES)
		return -1;
	d->e[d->n++] = (struct cpuid_indexed){ leaf, sub, v };
	return 0;
}

int cpuid_dump_load(struct cpuid_dump *d, const char *path, char *err, size_t errlen)
{
	memset(d, 0, sizeof(*d));
	const char *base = strrchr(path, '/');
	snprintf(d->name, sizeof(d->name), "%s", base ? base + 1 : path);
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: cannot open", path);
		return -1;
	}
	char line[256];
	int lineno = 0, rc = 0;
	while (!rc && fgets(line, sizeof(line), f)) {
		lineno++;
		if (line[0] == '#' || line[0] == '\n' || line[0] == '\r')
			continue;
		unsigned leaf, sub, a, b, c, dx;
		if (sscanf(line, "%8x %8x %8x %8x %8x %8x", &leaf, &sub, &a, &b, &c, &dx) != 6) {
			snprintf(err, errlen, "%s:%d: not 'leaf subleaf eax ebx ecx edx'", path, lineno);
			rc = -1;
		} else if (add(d, leaf, sub, (struct cpuid_value){ a, b, c, dx })) {
			snprintf(err, errlen, "%s:%d: more than %d entries", path, lineno,
				 CPUID_DUMP_MAX_ENTRIES);
			rc = -1;
		}
	}
	fclose(f);
	if (!rc && d->n == 0) {
		snprintf(err, errlen, "%s: no CPUID lines", path);
		rc = -1;
	}
	return rc;
}

struct cpuid_value cpuid_dump_get(const struct cpuid_dump *d, uint32_t leaf, uint32_t subleaf)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->e[i].leaf == leaf && d->e[i].subleaf == subleaf)
			return d->e[i].v;
	return (struct cpuid_value){ 0, 0, 0, 0 };
}

bool cpuid_dump_is_amd(const struct cpuid_dump *d)
{
	return cpuid_dump_get(d, 0, 0).ebx == 0x68747541u; /* "Auth" */
}

void cpuid_dump_select(const struct cpuid_dump *d)
{
	selected = d;
}

struct cpuid_value cpuid_dump_source(uint32_t leaf, uint32_t subleaf)
{
	return cpuid_dump_get(selected, leaf, subleaf);
}

static uint32_t *reg_of(struct cpuid_value *v, unsigned reg)
{
	return reg == CPUID_EAX ? &v->eax : reg == CPUID_EBX ? &v->ebx : reg == CPUID_ECX ? &v->ecx
											  : &v->edx;
}

void cpuid_dump_synthetic(struct cpuid_dump *d, const struct cpuid_feature_set *set, bool amd)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "synthetic-all-features-%s", amd ? "amd" : "intel");
	/* Vendor strings: "AuthenticAMD" / "GenuineIntel" in EBX, EDX, ECX. */
	add(d, 0, 0, amd ? (struct cpuid_value){ 0x1f, 0x68747541u, 0x444d4163u, 0x69746e65u }
			 : (struct cpuid_value){ 0x1f, 0x756e6547u, 0x6c65746eu, 0x49656e69u });
	add(d, 0x80000000u, 0, (struct cpuid_value){ 0x80000021u, 0, 0, 0 });
	add(d, 7, 0, (struct cpuid_value){ 2, 0, 0, 0 });
	add(d, 7, 1, (struct cpuid_value){ 0, 0, 0, 0 });
	add(d, 7, 2, (struct cpuid_value){ 0, 0, 0, 0 });
	/* Every bit the table names, in every register it names. */
	for (size_t i = 0; i < set->count; i++) {
		const struct cpuid_feature *f = &set->entries[i];
		struct cpuid_value v = cpuid_dump_get(d, f->leaf, f->subleaf);
		*reg_of(&v, f->reg) |= f->mask;
		add(d, f->leaf, f->subleaf, v);
	}
	/* The dependent leaves exist. */
	for (size_t i = 0; i < cpuid_leaf_rule_count; i++)
		add(d, cpuid_leaf_rules[i].leaf, 0, (struct cpuid_value){ 1, 2, 3, 4 });
	/* XSAVE: x87, SSE, AVX, MPX, AVX-512, PKRU, AMX, APX (standard offsets of SPR plus APX
	 * where MPX lives on APX parts is not modelled: APX at the end) and CET/PT/LBR in XSS. */
	static const struct { unsigned i; uint32_t size, offset, ecx; } comp[] = {
		{ 2, 256, 576, 0 },   { 3, 64, 960, 0 },    { 4, 64, 1024, 0 },  { 5, 64, 1088, 0 },
		{ 6, 512, 1152, 0 },  { 7, 1024, 1664, 0 }, { 9, 8, 2688, 0 },   { 17, 64, 2752, 2 },
		{ 18, 8192, 2816, 6 }, { 19, 128, 11008, 0 }, { 8, 128, 0, 1 },  { 11, 16, 0, 1 },
		{ 12, 24, 0, 1 },     { 15, 808, 0, 1 },
	};
	uint64_t user = 3, sup = 0;
	for (size_t i = 0; i < sizeof(comp) / sizeof(comp[0]); i++) {
		add(d, 0xd, comp[i].i, (struct cpuid_value){ comp[i].size, comp[i].offset, comp[i].ecx, 0 });
		if (comp[i].ecx & 1)
			sup |= BIT(comp[i].i);
		else
			user |= BIT(comp[i].i);
	}
	add(d, 0xd, 0, (struct cpuid_value){ (uint32_t)user, 576, 11136, (uint32_t)(user >> 32) });
	struct cpuid_value d1 = cpuid_dump_get(d, 0xd, 1);
	d1.ecx = (uint32_t)sup;
	add(d, 0xd, 1, d1);
}
