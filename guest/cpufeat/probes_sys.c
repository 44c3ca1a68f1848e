/*
 * System-level probes: the baseline every probe starts from, control registers (CR0,
 * CR4, XCR0, EFER), the XSAVE family, protection keys, CET, SYSENTER, x2APIC and the
 * switch to long mode.
 */
#include "cpufeat.h"
#include "fixup.h"
#include "printf.h"

#define MSR_EFER 0xC0000080u
#define EFER_LMA (1u << 10)

void write_cr0(uint32_t v)
{
	__asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory");
}

void write_cr4(uint32_t v)
{
	__asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

void xsetbv(uint32_t xcr, uint64_t v)
{
	__asm__ volatile("xsetbv" : : "c"(xcr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

uint64_t xgetbv(uint32_t xcr)
{
	uint32_t lo, hi;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(xcr));
	return (uint64_t)hi << 32 | lo;
}

static void setup_xcr0(const struct feat *f)
{
	(void)f;
	step("xsetbv (every XCR0 bit leaf 0xd.0 shows)");
	xsetbv(0, baseline.xcr0);
}

/* CR0.MP/NE, CR4.OSFXSR/OSXMMEXCPT/OSXSAVE and XCR0 = every component CPUID 0xD.0 shows,
 * so that x87/SSE/AVX/AVX-512 probes can run. Returns the number of faults seen. */
uint32_t setup_baseline(void)
{
	uint32_t faults = 0;
	baseline.cr0 = (read_cr0() | CR0_MP | CR0_NE) & ~(CR0_EM | CR0_TS);
	write_cr0(baseline.cr0);
	baseline.cr4 = read_cr4();
	if (feature_shown(1, 0, R_EDX, 24))
		baseline.cr4 |= CR4_OSFXSR | CR4_OSXMMEXCPT;
	if (feature_shown(1, 0, R_ECX, 26))
		baseline.cr4 |= CR4_OSXSAVE;
	write_cr4(baseline.cr4);
	if (baseline.cr4 & CR4_OSXSAVE) {
		struct cpuid_regs d = cpuid(0xd, 0);
		baseline.xcr0 = (uint64_t)d.edx << 32 | d.eax;
		uint32_t vec = probe_call(setup_xcr0, NULL);
		if (vec != FIXUP_NONE) {
			printf("cpufeat: setup: XSETBV 0x%llx: FAULT %s: XCR0 stays x87|SSE\n",
			       (unsigned long long)baseline.xcr0, trap_name(vec));
			faults++;
			baseline.xcr0 = 0x3;
			xsetbv(0, baseline.xcr0);
		}
		baseline.xsave = true;
	}
	baseline.efer = rdmsr(MSR_EFER);
	printf("cpufeat: baseline CR0 0x%x CR4 0x%x XCR0 0x%llx EFER 0x%llx\n", baseline.cr0,
	       baseline.cr4, (unsigned long long)baseline.xcr0, (unsigned long long)baseline.efer);
	return faults;
}

void probe_cr4_bit(const struct feat *f)
{
	uint32_t bit = 1u << f->arg;
	step("mov to CR4 (set the bit)");
	write_cr4(read_cr4() | bit);
	if (!(read_cr4() & bit))
		probe_wrong("the CR4 bit reads back clear");
	step("mov to CR4 (clear the bit)");
	write_cr4(read_cr4() & ~bit);
}

void probe_efer_bit(const struct feat *f)
{
	uint64_t bit = 1ull << f->arg;
	step_msr("rdmsr EFER", MSR_EFER);
	uint64_t efer = probe_rdmsr(MSR_EFER);
	step_msr("wrmsr EFER (set the bit)", MSR_EFER);
	probe_wrmsr(MSR_EFER, efer | bit);
	if (!(probe_rdmsr(MSR_EFER) & bit))
		probe_wrong("the EFER bit reads back clear");
	step_msr("wrmsr EFER (restore)", MSR_EFER);
	probe_wrmsr(MSR_EFER, efer);
}

/* OSXSAVE/OSPKE (arg = the CR4 bit): CPUID shows the bit exactly while CR4 has it set. */
void probe_mirror(const struct feat *f)
{
	uint32_t bit = 1u << f->arg;
	step("mov to CR4 (set)");
	write_cr4(read_cr4() | bit);
	struct cpuid_regs r = cpuid(f->leaf, f->subleaf);
	uint32_t v = f->reg == R_ECX ? r.ecx : r.edx;
	if (!(v >> f->bit & 1))
		probe_wrong("CPUID shows it clear while the CR4 bit is set");
	step("mov to CR4 (clear)");
	write_cr4(read_cr4() & ~bit);
	r = cpuid(f->leaf, f->subleaf);
	v = f->reg == R_ECX ? r.ecx : r.edx;
	if (v >> f->bit & 1)
		probe_wrong("CPUID shows it set while the CR4 bit is clear");
}

static uint8_t xsave_area[16384] __attribute__((aligned(64)));

/* The XSAVE area size for the components in `xcr0` (Intel SDM vol. 1 13.4.3, both formats):
 * standard = the end of the highest component at its CPUID 0xD.i offset; compacted = 576 +
 * each component's size in order, 64-byte aligned where 0xD.i ECX[1] says so. */
static uint32_t xsave_size(uint64_t xcr0, bool compacted)
{
	uint32_t size = 576;
	for (uint32_t i = 2; i < 63; i++) {
		if (!(xcr0 >> i & 1))
			continue;
		struct cpuid_regs c = cpuid(0xd, i);
		if (!compacted) {
			if (c.ebx + c.eax > size)
				size = c.ebx + c.eax;
		} else {
			if (c.ecx & 2)
				size = (size + 63) & ~63u;
			size += c.eax;
		}
	}
	return size;
}

/* IA32_XSS if the guest has it (XSAVES shown), else 0. */
static uint64_t probe_rdmsr_xss(void)
{
	step_msr("rdmsr IA32_XSS", 0xDA0);
	return feature_shown(0xd, 1, R_EAX, 3) ? probe_rdmsr(0xDA0) : 0;
}

/* CPUID 0xD.1 EBX: the compacted size for XCR0 | IA32_XSS (SDM vol. 2A CPUID leaf 0DH). */
static void check_compacted_size(void)
{
	uint32_t want = xsave_size(baseline.xcr0 | probe_rdmsr_xss(), true);
	if (cpuid(0xd, 1).ebx != want)
		probe_wrong_values("CPUID 0xD.1 EBX is not the compacted size for XCR0 | IA32_XSS",
				   cpuid(0xd, 1).ebx, want);
}

/* arg: 0 XSAVE/XRSTOR (and leaf 0xD.0: every XCR0 component described, EBX the size for
 * XCR0), 1 XSAVEOPT, 2 XSAVEC (and 0xD.1 EBX), 3 XSAVES/XRSTORS (+ IA32_XSS), 4 XGETBV(1). */
void probe_xsave(const struct feat *f)
{
	uint32_t lo = 0xffffffffu, hi = 0xffffffffu;
	for (uint32_t i = 0; i < sizeof(xsave_area); i++)
		xsave_area[i] = 0;
	switch (f->arg) {
	case 0:
		step("xsetbv");
		xsetbv(0, baseline.xcr0);
		if (xgetbv(0) != baseline.xcr0)
			probe_wrong("XGETBV(0) differs from the value XSETBV wrote");
		for (uint32_t i = 2; i < 63; i++)
			if ((baseline.xcr0 >> i & 1) && !cpuid(0xd, i).eax)
				probe_wrong_index("leaf 0xD.0 shows an XCR0 component whose 0xD.i is empty", i);
		if (cpuid(0xd, 0).ebx != xsave_size(baseline.xcr0, false))
			probe_wrong_values("CPUID 0xD.0 EBX is not the XSAVE area size for XCR0",
					   cpuid(0xd, 0).ebx, xsave_size(baseline.xcr0, false));
		if (cpuid(0xd, 0).ecx < cpuid(0xd, 0).ebx)
			probe_wrong("CPUID 0xD.0 ECX (largest size) is below EBX");
		step("xsave");
		__asm__ volatile("xsave %0" : "+m"(xsave_area) : "a"(lo), "d"(hi));
		step("xrstor");
		__asm__ volatile("xrstor %0" : : "m"(xsave_area), "a"(lo), "d"(hi));
		break;
	case 1:
		step("xsaveopt");
		__asm__ volatile("xsaveopt %0" : "+m"(xsave_area) : "a"(lo), "d"(hi));
		break;
	case 2:
		check_compacted_size();
		step("xsavec");
		__asm__ volatile("xsavec %0" : "+m"(xsave_area) : "a"(lo), "d"(hi));
		step("xrstor (compacted)");
		__asm__ volatile("xrstor %0" : : "m"(xsave_area), "a"(lo), "d"(hi));
		break;
	case 3: {
		step_msr("rdmsr IA32_XSS", 0xDA0);
		uint64_t xss = probe_rdmsr(0xDA0);
		step_msr("wrmsr IA32_XSS", 0xDA0);
		probe_wrmsr(0xDA0, 0);
		step("xsaves");
		__asm__ volatile("xsaves %0" : "+m"(xsave_area) : "a"(lo), "d"(hi));
		step("xrstors");
		__asm__ volatile("xrstors %0" : : "m"(xsave_area), "a"(lo), "d"(hi));
		step_msr("wrmsr IA32_XSS (restore)", 0xDA0);
		probe_wrmsr(0xDA0, xss);
		break;
	}
	case 4:
		step("xgetbv(1)");
		(void)xgetbv(1);
		break;
	}
}

/* PKU: CR4.PKE, then WRPKRU/RDPKRU round trip. */
void probe_pku(const struct feat *f)
{
	(void)f;
	step("mov to CR4 (PKE)");
	write_cr4(read_cr4() | CR4_PKE);
	uint32_t pkru;
	step("wrpkru");
	__asm__ volatile("wrpkru" : : "a"(0x55555554u), "c"(0), "d"(0) : "memory");
	step("rdpkru");
	__asm__ volatile("rdpkru" : "=a"(pkru) : "c"(0) : "edx");
	if (pkru != 0x55555554u)
		probe_wrong("RDPKRU does not return what WRPKRU wrote");
	step("wrpkru 0");
	__asm__ volatile("wrpkru" : : "a"(0), "c"(0), "d"(0) : "memory");
}

/* PKS: CR4.PKS and IA32_PKRS. */
void probe_pks(const struct feat *f)
{
	(void)f;
	step("mov to CR4 (PKS)");
	write_cr4(read_cr4() | CR4_PKS);
	step_msr("rdmsr IA32_PKRS", 0x6E1);
	uint64_t v = probe_rdmsr(0x6E1);
	step_msr("wrmsr IA32_PKRS", 0x6E1);
	probe_wrmsr(0x6E1, 0x4);
	if (probe_rdmsr(0x6E1) != 0x4)
		probe_wrong("IA32_PKRS does not read back");
	probe_wrmsr(0x6E1, v);
}

/* CET (arg 0: shadow stacks, 1: IBT): CR0.WP + CR4.CET, the CET MSRs read and written back. */
void probe_cet(const struct feat *f)
{
	step("mov to CR0 (WP)");
	write_cr0(read_cr0() | CR0_WP);
	step("mov to CR4 (CET)");
	write_cr4(read_cr4() | CR4_CET);
	static const uint32_t ibt[] = { 0x6A0, 0x6A2 }; /* U_CET, S_CET */
	static const uint32_t ss[] = { 0x6A0, 0x6A2, 0x6A4, 0x6A5, 0x6A6, 0x6A7, 0x6A8 };
	const uint32_t *m = f->arg ? ibt : ss;
	uint32_t n = f->arg ? ARRAY_SIZE(ibt) : ARRAY_SIZE(ss);
	for (uint32_t i = 0; i < n; i++) {
		step_msr("rdmsr", m[i]);
		uint64_t v = probe_rdmsr(m[i]);
		step_msr("wrmsr (same value)", m[i]);
		probe_wrmsr(m[i], v);
	}
	if (f->arg) {
		step("endbr32");
		__asm__ volatile("endbr32");
	} else {
		uint32_t ssp = 0;
		step("rdsspd (a NOP while shadow stacks are off)");
		__asm__ volatile("rdsspd %0" : "+r"(ssp));
	}
	step("mov to CR4 (clear CET)");
	write_cr4(read_cr4() & ~CR4_CET);
}

void sysenter_roundtrip(void); /* probes32.asm */

/* SEP: the SYSENTER MSRs, then a SYSENTER from CPL 0 that lands on our own code. */
void probe_sysenter(const struct feat *f)
{
	(void)f;
	static uint8_t stack[256] __attribute__((aligned(16)));
	extern char sysenter_landing[];
	uint64_t old[3];
	for (uint32_t i = 0; i < 3; i++) {
		step_msr("rdmsr", 0x174 + i);
		old[i] = probe_rdmsr(0x174 + i);
	}
	step_msr("wrmsr", 0x174);
	probe_wrmsr(0x174, 0x08);
	step_msr("wrmsr", 0x175);
	probe_wrmsr(0x175, (uint32_t)(stack + sizeof(stack)));
	step_msr("wrmsr", 0x176);
	probe_wrmsr(0x176, (uint32_t)sysenter_landing);
	step("sysenter");
	sysenter_roundtrip();
	for (uint32_t i = 0; i < 3; i++) {
		step_msr("wrmsr (restore)", 0x174 + i);
		probe_wrmsr(0x174 + i, old[i]);
	}
}

/* x2APIC: enable x2APIC mode, read the version and ID MSRs, back through disabled. */
void probe_x2apic(const struct feat *f)
{
	(void)f;
	step_msr("rdmsr IA32_APIC_BASE", 0x1B);
	uint64_t base = probe_rdmsr(0x1B);
	step_msr("wrmsr IA32_APIC_BASE (EN|EXTD)", 0x1B);
	probe_wrmsr(0x1B, base | 0xC00);
	step_msr("rdmsr x2APIC version", 0x803);
	(void)probe_rdmsr(0x803);
	step_msr("rdmsr x2APIC ID", 0x802);
	(void)probe_rdmsr(0x802);
	step_msr("wrmsr IA32_APIC_BASE (disabled)", 0x1B);
	probe_wrmsr(0x1B, base & ~0xC00ull);
	step_msr("wrmsr IA32_APIC_BASE (restore)", 0x1B);
	probe_wrmsr(0x1B, base);
}

/* SMAP: CR4.SMAP, STAC and CLAC. */
void probe_smap(const struct feat *f)
{
	probe_cr4_bit(f);
	step("stac");
	__asm__ volatile("stac; clac" ::: "memory");
}

void lm_enter(uint32_t pml4); /* long_mode.asm */
extern uint64_t lm_pml4[512], lm_pdpt[512], lm_pd[512];

/* LM: identity-map the first 1022 MiB with 2-MiB pages, enter long mode, run 64-bit code. */
void probe_long_mode(const struct feat *f)
{
	(void)f;
	for (uint32_t i = 0; i < 511; i++)
		lm_pd[i] = (uint64_t)i << 21 | 0x83; /* present, writable, 2 MiB */
	lm_pdpt[0] = (uint32_t)lm_pd | 0x3;
	lm_pml4[0] = (uint32_t)lm_pdpt | 0x3;
	step("CR4.PAE, EFER.LME, CR0.PG");
	lm_enter((uint32_t)lm_pml4);
	step("rdmsr EFER in long mode");
	if (!(rdmsr(MSR_EFER) & EFER_LMA))
		probe_wrong("EFER.LMA clear after CR0.PG with EFER.LME");
	if (run64(P64_LONG_MODE) != FIXUP_NONE)
		probe_wrong("64-bit code (REX registers, SWAPGS) faulted");
}
