/*
 * cpufeat: for every feature bit the guest's CPUID shows, use the feature (run its
 * instruction, touch its MSR, set its CR4/XCR0/EFER bit) with exceptions caught, and
 * print one line per bit. Passes only if nothing that is shown faults.
 *
 * The feature tables (table_*.c) tie each (leaf, subleaf, register, bit) to a probe
 * function and its argument, or mark the bit as a hint (no instruction that can fault).
 * A shown bit without a table entry is reported as "shown, no probe".
 */
#ifndef CPUFEAT_H
#define CPUFEAT_H

#include "cpu.h"
#include "guest.h"

enum feat_reg { R_EAX, R_EBX, R_ECX, R_EDX };

struct feat;
typedef void (*probe_fn)(const struct feat *f);

/* struct feat.flags */
#define F_HINT 1u   /* no instruction or MSR that can fault: listed, not probed */
#define F_64 2u     /* probed in 64-bit mode: fn is probe64, arg the index in long_mode.asm */
#define F_MIRROR 4u /* OSXSAVE/OSPKE: a CPU-maintained copy of a CR4 bit; probed when the
		     * feature in arg2 (its base: XSAVE, PKU) is shown, whatever this bit says */
#define F_FIELD 8u  /* part of a multi-bit value, not a feature (e.g. MAWAU): listed as hint */

struct feat {
	uint32_t leaf;
	uint8_t subleaf, reg, bit, flags;
	const char *name;
	probe_fn fn;
	uint32_t arg;  /* the probe's parameter: an MSR, a CR4/EFER bit, ... */
	uint32_t arg2; /* a second one where a probe needs it */
};

/* Table entries. NOPROBE: a known feature the guest has no probe for (counted unprobed). */
#define PROBE(l, s, r, b, name, fn, arg) { l, s, r, b, 0, name, fn, arg, 0 }
#define PROBE2(l, s, r, b, name, fn, arg, arg2) { l, s, r, b, 0, name, fn, arg, arg2 }
#define HINT(l, s, r, b, name) { l, s, r, b, F_HINT, name, NULL, 0, 0 }
#define FIELD(l, s, r, b, name) { l, s, r, b, F_FIELD, name, NULL, 0, 0 }
#define NOPROBE(l, s, r, b, name) { l, s, r, b, 0, name, NULL, 0, 0 }
#define IN64(l, s, r, b, name, index) { l, s, r, b, F_64, name, NULL, index, 0 }
#define MIRROR(l, s, r, b, name, cr4bit, basebit) \
	{ l, s, r, b, F_MIRROR, name, probe_mirror, cr4bit, basebit }
#define TABLE_END { 0, 0, 0, 0, 0, NULL, NULL, 0, 0 }

/* The tables, each ended by TABLE_END. */
extern const struct feat feat_leaf1[], feat_leaf6[], feat_leaf7[], feat_leaf_d[], feat_ext[];

/* ---- what a probe uses ------------------------------------------------------------- */

/* The step a probe is at, printed if it faults ("umwait", "wrmsr 0x1b0"). */
struct probe_step {
	const char *what;
	uint32_t msr;
	bool has_msr;
	const char *wrong; /* set by probe_wrong(): the probe ran but saw a wrong result */
	uint64_t got, want; /* with has_values: what it saw and what it should have seen */
	bool has_values;
	uint32_t index; /* with has_index: which one of several (an XSAVE component) */
	bool has_index;
};
extern struct probe_step probe_step;

static inline void step(const char *what)
{
	probe_step.what = what;
	probe_step.has_msr = false;
}

static inline void step_msr(const char *what, uint32_t msr)
{
	probe_step.what = what;
	probe_step.msr = msr;
	probe_step.has_msr = true;
}

/* The probe completed but the CPU did not do what the feature promises. The first wrong
 * result a probe sees is the one reported (later ones often follow from it). */
static inline void probe_wrong(const char *why)
{
	if (!probe_step.wrong)
		probe_step.wrong = why;
}

/* ... naming which one of several was wrong (an XSAVE component). */
static inline void probe_wrong_index(const char *why, uint32_t index)
{
	if (probe_step.wrong)
		return;
	probe_step.wrong = why;
	probe_step.index = index;
	probe_step.has_index = true;
}

/* ... with the value seen and the value expected. */
static inline void probe_wrong_values(const char *why, uint64_t got, uint64_t want)
{
	if (probe_step.wrong)
		return;
	probe_step.wrong = why;
	probe_step.got = got;
	probe_step.want = want;
	probe_step.has_values = true;
}

/* MSR and control-register access for probes: a fault is caught by the probe runner. */
uint64_t probe_rdmsr(uint32_t msr);
void probe_wrmsr(uint32_t msr, uint64_t v);
void write_cr0(uint32_t v);
void write_cr4(uint32_t v);
void xsetbv(uint32_t xcr, uint64_t v);
uint64_t xgetbv(uint32_t xcr);

/* Runs fn(f) with every exception caught (probe_call.asm): FIXUP_NONE or the vector. */
uint32_t probe_call(probe_fn fn, const struct feat *f);

/* The state every probe starts from (main.c): XCR0 as set up, CR4 as set up. */
struct baseline {
	uint32_t cr0, cr4;
	uint64_t xcr0, efer;
	bool xsave; /* CR4.OSXSAVE set and XCR0 valid */
};
extern struct baseline baseline;

/* Sets the baseline up (probes_sys.c); returns how many of its steps faulted. */
uint32_t setup_baseline(void);

/* Shown-ness of another feature (probes that depend on a second bit, e.g. AVX-512VL). */
bool feature_shown(uint32_t leaf, uint32_t subleaf, enum feat_reg reg, uint32_t bit);

/* 64-bit mode (long_mode.asm). LM itself is probed by entering long mode (F_64 with arg
 * LM_INDEX: main.c runs it after every 32-bit probe); the other F_64 probes run after it,
 * arg being their index in long_mode.asm's probe table. */
#define LM_INDEX 0xFFFFFFFFu
enum probe64_index { /* the order of probe64_table in long_mode.asm */
	P64_LONG_MODE, P64_FSGSBASE, P64_PCID, P64_PAGE1GB, P64_NX, P64_SYSCALL, P64_LAHF, P64_CX16,
	P64_AMX_TILE, P64_AMX_INT8, P64_AMX_BF16, P64_AMX_FP16, P64_CMPCCXADD, P64_RAO_INT,
	P64_PREFETCHI, /* these seven: probes64_gas.c */
};
#define WRONG64 0xFFFFFFFEu /* run64(): the probe ran but saw a wrong result */
uint32_t run64(uint32_t index);
extern uint32_t fault64_rip;
void probe_long_mode(const struct feat *f);

/* Generic probes (probes_msr.c, probes_sys.c), named by what they do with f->arg. */
void probe_msr_read(const struct feat *f);       /* RDMSR arg (and arg2 if nonzero) */
void probe_msr_rewrite(const struct feat *f);    /* RDMSR arg, WRMSR the same value back */
void probe_msr_write0(const struct feat *f);     /* WRMSR arg = 0, read back 0, restore */
void probe_msr_setbit(const struct feat *f);     /* MSR arg: bit arg2 set, read back, restored */
void probe_spec_ctrl(const struct feat *f);      /* IA32_SPEC_CTRL bit arg set, read, clear */
void probe_msr_command(const struct feat *f);    /* WRMSR arg = arg2 (IBPB, SBPB, L1D flush) */
void probe_cr4_bit(const struct feat *f);        /* CR4 bit arg set, read back, cleared */
void probe_efer_bit(const struct feat *f);       /* EFER bit arg set, read back, cleared */
void probe_cpuid_leaf(const struct feat *f);     /* CPUID leaf arg answers (not all zeros) */
void probe_hwp(const struct feat *f);
void probe_mtrr(const struct feat *f);
void probe_topoext(const struct feat *f);
void probe_mirror(const struct feat *f);
void probe_xsave(const struct feat *f);
void probe_pku(const struct feat *f);
void probe_pks(const struct feat *f);
void probe_cet(const struct feat *f);
void probe_sysenter(const struct feat *f);
void probe_x2apic(const struct feat *f);
void probe_smap(const struct feat *f);

/* probe_insn (probes_insn.c): arg is one of these. */
enum insn {
	I_X87, I_TSC, I_CX8, I_CMOV, I_CLFLUSH, I_POPCNT, I_MOVBE, I_LZCNT, I_BMI1, I_BMI2, I_ADX,
	I_RDRAND, I_RDSEED, I_RDTSCP, I_RDPID, I_CLFLUSHOPT, I_CLWB, I_INVPCID, I_SERIALIZE, I_HLE,
	I_RTM, I_TSXLDTRK, I_MOVDIRI, I_MOVDIR64B, I_CLDEMOTE, I_PREFETCHWT1, I_PREFETCHW,
	I_WBNOINVD, I_VERW, I_MONITOR, I_MONITORX, I_WAITPKG, I_HRESET, I_WRMSRNS, I_RDPRU,
	I_CLZERO, I_MCOMMIT, I_INVLPGB, I_ALTMOVCR8, I_TBM, I_LAHF,
};
void probe_insn(const struct feat *f);

/* probe_simd (probes_simd.c): arg is one of these. */
enum simd {
	S_MMX, S_MMXEXT, S_3DNOW, S_3DNOWEXT, S_FXSR, S_SSE, S_SSE2, S_SSE3, S_SSSE3, S_SSE41,
	S_SSE42, S_SSE4A, S_MISALIGNSSE, S_PCLMUL, S_AES, S_SHA, S_GFNI, S_AVX, S_AVX2, S_FMA,
	S_FMA4, S_XOP, S_F16C, S_VAES, S_VPCLMUL, S_AVX_VNNI, S_AVX_IFMA, S_AVX_VNNI_INT8,
	S_AVX_NE_CONVERT, S_AVX512F, S_AVX512DQ, S_AVX512BW, S_AVX512VL, S_AVX512CD, S_AVX512IFMA,
	S_AVX512VBMI, S_AVX512VBMI2, S_AVX512VNNI, S_AVX512BITALG, S_AVX512VPOPCNTDQ,
	S_AVX512BF16, S_AVX512FP16, S_AVX512VP2INTERSECT, S_AVX512ER, S_AVX512PF, S_AVX512_4VNNIW,
	S_AVX512_4FMAPS,
};
void probe_simd(const struct feat *f);

#define CR0_MP (1u << 1)
#define CR0_EM (1u << 2)
#define CR0_TS (1u << 3)
#define CR0_NE (1u << 5)
#define CR0_WP (1u << 16)
#define CR0_PG (1u << 31)
#define CR4_OSFXSR (1u << 9)
#define CR4_OSXMMEXCPT (1u << 10)
#define CR4_OSXSAVE (1u << 18)
#define CR4_PKE (1u << 22)
#define CR4_CET (1u << 23)
#define CR4_PKS (1u << 24)

#endif
