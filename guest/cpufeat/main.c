/*
 * cpufeat: probes every CPUID feature bit the guest is shown (see cpufeat.h). First every
 * probe that runs in 32-bit protected mode with paging off, then the guest enters long
 * mode (the LM probe) and runs the 64-bit ones. One line per shown bit, then
 *	cpufeat: N shown, P probed ok, F faulted, U unprobed, H hints
 * and the guest passes only if F == 0 and at least one probe ran.
 * It also runs without the hypervisor, e.g. `qemu-system-x86_64 -cpu max -kernel cpufeat.elf
 * -append native -device isa-debug-exit,iobase=0xf4,iosize=4 -serial stdio`: "native"
 * skips MWAIT, which QEMU TCG runs as HLT (it would never wake).
 */
#include "cpufeat.h"
#include "fixup.h"
#include "printf.h"
#include "trap.h"

const char guest_name[] = "cpufeat";

struct probe_step probe_step;
struct baseline baseline;

/* The registers whose feature bits are probed, in print order. */
struct feat_reg_src {
	uint32_t leaf, subleaf;
	enum feat_reg reg;
	const struct feat *table;
	bool present; /* the leaf exists (max leaf, 7.0 EAX) */
	uint32_t value; /* as shown at start, before the guest changed any CR4 bit */
};

static struct feat_reg_src regs[] = {
	{ 1, 0, R_ECX, feat_leaf1, 0, 0 },	    { 1, 0, R_EDX, feat_leaf1, 0, 0 },
	{ 6, 0, R_EAX, feat_leaf6, 0, 0 },	    { 6, 0, R_ECX, feat_leaf6, 0, 0 },
	{ 7, 0, R_EBX, feat_leaf7, 0, 0 },	    { 7, 0, R_ECX, feat_leaf7, 0, 0 },
	{ 7, 0, R_EDX, feat_leaf7, 0, 0 },	    { 7, 1, R_EAX, feat_leaf7, 0, 0 },
	{ 7, 1, R_EDX, feat_leaf7, 0, 0 },	    { 7, 2, R_EDX, feat_leaf7, 0, 0 },
	{ 0xd, 1, R_EAX, feat_leaf_d, 0, 0 },	    { 0x80000001u, 0, R_ECX, feat_ext, 0, 0 },
	{ 0x80000001u, 0, R_EDX, feat_ext, 0, 0 }, { 0x80000007u, 0, R_EDX, feat_ext, 0, 0 },
	{ 0x80000008u, 0, R_EBX, feat_ext, 0, 0 }, { 0x80000021u, 0, R_EAX, feat_ext, 0, 0 },
};

static uint32_t n_shown, n_ok, n_fault, n_unprobed, n_hint;

static uint32_t reg_of(struct cpuid_regs r, enum feat_reg reg)
{
	return reg == R_EAX ? r.eax : reg == R_EBX ? r.ebx : reg == R_ECX ? r.ecx : r.edx;
}

static void snapshot(void)
{
	uint32_t max_basic = cpuid(0, 0).eax, max_ext = cpuid(0x80000000u, 0).eax;
	uint32_t max7 = max_basic >= 7 ? cpuid(7, 0).eax : 0;
	for (uint32_t i = 0; i < ARRAY_SIZE(regs); i++) {
		struct feat_reg_src *s = &regs[i];
		if (s->leaf >= 0x80000000u)
			s->present = max_ext >= s->leaf;
		else
			s->present = max_basic >= s->leaf && (s->leaf != 7 || s->subleaf <= max7);
		s->value = s->present ? reg_of(cpuid(s->leaf, s->subleaf), s->reg) : 0;
	}
}

static const struct feat_reg_src *src_of(uint32_t leaf, uint32_t subleaf, enum feat_reg reg)
{
	for (uint32_t i = 0; i < ARRAY_SIZE(regs); i++)
		if (regs[i].leaf == leaf && regs[i].subleaf == subleaf && regs[i].reg == reg)
			return &regs[i];
	return NULL;
}

bool feature_shown(uint32_t leaf, uint32_t subleaf, enum feat_reg reg, uint32_t bit)
{
	const struct feat_reg_src *s = src_of(leaf, subleaf, reg);
	return s && (s->value >> bit & 1);
}

static const struct feat *find(const struct feat_reg_src *s, uint32_t bit)
{
	for (const struct feat *f = s->table; f->name; f++)
		if (f->leaf == s->leaf && f->subleaf == s->subleaf && f->reg == s->reg && f->bit == bit)
			return f;
	return NULL;
}

static void print_id(const struct feat_reg_src *s, uint32_t bit, const struct feat *f)
{
	static const char *const rn[] = { "eax", "ebx", "ecx", "edx" };
	printf(s->leaf > 9 ? "cpufeat: 0x%x" : "cpufeat: %x", s->leaf);
	if (s->leaf == 7 || s->leaf == 0xd)
		printf(".%u", s->subleaf);
	printf(".%s[%u] %s: ", rn[s->reg], bit, f ? f->name : "(unnamed)");
}

/* A step is the asm text itself: print it without its '%' escapes. */
static void print_step(const char *s)
{
	for (; s && *s; s++)
		if (*s != '%' || (s[1] != '%' && s[1] != '{' && s[1] != '}'))
			printf("%c", *s);
}

static void print_result(uint32_t vec)
{
	if (vec != FIXUP_NONE) {
		n_fault++;
		printf("FAULT %s (error 0x%x) at ", trap_name(vec), fixup_error_code());
		print_step(probe_step.what ? probe_step.what : "?");
		if (probe_step.has_msr)
			printf(" 0x%x", probe_step.msr);
		printf(", eip 0x%x\n", fixup_fault_eip());
	} else if (probe_step.wrong) {
		n_fault++;
		printf("FAULT wrong result: %s", probe_step.wrong);
		if (probe_step.has_index)
			printf(" (%u)", probe_step.index);
		if (probe_step.has_values)
			printf(" (0x%llx, expected 0x%llx)", (unsigned long long)probe_step.got,
			       (unsigned long long)probe_step.want);
		printf("\n");
	} else {
		n_ok++;
		printf("ok\n");
	}
}

static void restore_fn(const struct feat *f)
{
	(void)f;
	/* CR4 first: CR0.WP cannot be cleared while CR4.CET is set (a probe may stop there). */
	step("restore CR4");
	write_cr4(baseline.cr4);
	step("restore CR0");
	write_cr0(baseline.cr0);
	if (baseline.xsave) {
		step("restore XCR0");
		xsetbv(0, baseline.xcr0);
	}
	step_msr("restore EFER", 0xC0000080u);
	if (probe_rdmsr(0xC0000080u) != baseline.efer)
		probe_wrmsr(0xC0000080u, baseline.efer);
}

static void run_one(const struct feat_reg_src *s, uint32_t bit, const struct feat *f)
{
	print_id(s, bit, f);
	probe_step = (struct probe_step){ 0 };
	print_result(probe_call(f->fn, f));
	probe_step = (struct probe_step){ 0 };
	uint32_t vec = probe_call(restore_fn, f);
	if (vec != FIXUP_NONE) {
		printf("cpufeat: restoring the baseline after %s: ", f->name);
		print_result(vec);
	}
}

/* One bit of the first pass; returns true if it is left for the 64-bit pass. */
static bool visit(const struct feat_reg_src *s, uint32_t bit)
{
	const struct feat *f = find(s, bit);
	bool mirror = f && (f->flags & F_MIRROR) && (s->value >> f->arg2 & 1);
	if (!(s->value >> bit & 1) && !mirror)
		return false;
	n_shown++;
	if (f && (f->flags & F_64))
		return true;
	if (!f || !f->fn) {
		print_id(s, bit, f);
		if (f && (f->flags & (F_HINT | F_FIELD))) {
			n_hint++;
			printf("hint\n");
		} else {
			n_unprobed++;
			printf("shown, no probe\n");
		}
		return false;
	}
	run_one(s, bit, f);
	return false;
}

static void pass64(bool in_long_mode)
{
	for (uint32_t i = 0; i < ARRAY_SIZE(regs); i++) {
		for (uint32_t bit = 0; bit < 32; bit++) {
			const struct feat *f = find(&regs[i], bit);
			if (!(regs[i].value >> bit & 1) || !f || !(f->flags & F_64) || f->arg == LM_INDEX)
				continue;
			print_id(&regs[i], bit, f);
			if (!in_long_mode) {
				n_unprobed++;
				printf("not probed: the guest could not enter long mode\n");
				continue;
			}
			uint32_t vec = run64(f->arg);
			if (vec == FIXUP_NONE) {
				n_ok++;
				printf("ok (64-bit mode)\n");
			} else if (vec == WRONG64) {
				n_fault++;
				printf("FAULT wrong result in 64-bit mode\n");
			} else {
				n_fault++;
				printf("FAULT %s in 64-bit mode at rip 0x%x\n", trap_name(vec), fault64_rip);
			}
		}
	}
}

uint32_t guest_main(uint32_t magic, const struct mb_info *mbi)
{
	(void)magic;
	(void)mbi;
	char vendor[13];
	cpu_vendor_string(vendor);
	snapshot();
	printf("cpufeat: vendor %s, family/model/stepping 0x%x; probing every feature bit shown\n",
	       vendor, cpuid(1, 0).eax);
	n_fault += setup_baseline();

	bool any64 = false;
	for (uint32_t i = 0; i < ARRAY_SIZE(regs); i++)
		for (uint32_t bit = 0; bit < 32; bit++)
			any64 |= visit(&regs[i], bit);

	/* Long mode last: its IDT is 64-bit, so the 32-bit probe runner cannot follow it. */
	bool lm = false;
	const struct feat_reg_src *ext1 = src_of(0x80000001u, 0, R_EDX); /* LM is bit 29 */
	const struct feat *lmf = find(ext1, 29);
	if (lmf && feature_shown(0x80000001u, 0, R_EDX, 29)) {
		print_id(ext1, 29, lmf);
		probe_step = (struct probe_step){ 0 };
		uint32_t vec = probe_call(lmf->fn, lmf);
		print_result(vec);
		lm = vec == FIXUP_NONE && !probe_step.wrong;
	}
	if (any64)
		pass64(lm);

	printf("cpufeat: %u shown, %u probed ok, %u faulted, %u unprobed, %u hints\n", n_shown, n_ok,
	       n_fault, n_unprobed, n_hint);
	if (n_ok == 0) {
		printf("cpufeat: FAIL no probe ran\n");
		return EXIT_FAIL;
	}
	return n_fault ? EXIT_FAIL : EXIT_PASS;
}
