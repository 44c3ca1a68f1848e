/*
 * MSR probes: a feature whose interface is an MSR is probed by reading it and writing
 * back what a driver would write (the same value, 0, a control bit). The MSR numbers
 * are in the tables (Intel SDM vol. 4, AMD APM vol. 2 appendix A, AMD PPRs).
 */
#include "cpufeat.h"

#define MSR_SPEC_CTRL 0x48
#define MSR_PM_ENABLE 0x770
#define MSR_HWP_CAPABILITIES 0x771
#define MSR_HWP_REQUEST 0x774

uint64_t probe_rdmsr(uint32_t msr)
{
	probe_step.msr = msr;
	probe_step.has_msr = true;
	return rdmsr(msr);
}

void probe_wrmsr(uint32_t msr, uint64_t v)
{
	probe_step.msr = msr;
	probe_step.has_msr = true;
	wrmsr(msr, v);
}

void probe_msr_read(const struct feat *f)
{
	step("rdmsr");
	(void)probe_rdmsr(f->arg);
	if (f->arg2)
		(void)probe_rdmsr(f->arg2);
}

void probe_msr_rewrite(const struct feat *f)
{
	step("rdmsr");
	uint64_t v = probe_rdmsr(f->arg);
	step("wrmsr (the value read)");
	probe_wrmsr(f->arg, v);
	if (probe_rdmsr(f->arg) != v)
		probe_wrong("the MSR does not read back what was written");
	if (f->arg2) {
		step("rdmsr");
		v = probe_rdmsr(f->arg2);
		step("wrmsr (the value read)");
		probe_wrmsr(f->arg2, v);
	}
}

void probe_msr_write0(const struct feat *f)
{
	step("rdmsr");
	uint64_t v = probe_rdmsr(f->arg);
	step("wrmsr 0");
	probe_wrmsr(f->arg, 0);
	if (probe_rdmsr(f->arg) != 0)
		probe_wrong("the MSR does not read back 0");
	step("wrmsr (restore)");
	probe_wrmsr(f->arg, v);
}

/* IBRS/STIBP/SSBD/PSFD/... : the control bit `arg` of IA32_SPEC_CTRL, set then cleared. */
void probe_spec_ctrl(const struct feat *f)
{
	step("rdmsr IA32_SPEC_CTRL");
	uint64_t v = probe_rdmsr(MSR_SPEC_CTRL);
	step("wrmsr IA32_SPEC_CTRL (set the bit)");
	probe_wrmsr(MSR_SPEC_CTRL, v | 1ull << f->arg);
	if (!(probe_rdmsr(MSR_SPEC_CTRL) >> f->arg & 1))
		probe_wrong("the IA32_SPEC_CTRL bit reads back clear");
	step("wrmsr IA32_SPEC_CTRL (restore)");
	probe_wrmsr(MSR_SPEC_CTRL, v);
}

void probe_msr_setbit(const struct feat *f)
{
	step("rdmsr");
	uint64_t v = probe_rdmsr(f->arg);
	step("wrmsr (set the feature's bit)");
	probe_wrmsr(f->arg, v | 1ull << f->arg2);
	if (!(probe_rdmsr(f->arg) >> f->arg2 & 1))
		probe_wrong("the MSR bit reads back clear");
	step("wrmsr (restore)");
	probe_wrmsr(f->arg, v);
}

/* IBPB/SBPB (IA32_PRED_CMD), L1D flush (IA32_FLUSH_CMD): write-only commands. */
void probe_msr_command(const struct feat *f)
{
	step("wrmsr (command)");
	probe_wrmsr(f->arg, f->arg2);
}

/* HWP as Linux's intel_pstate uses it (Intel SDM vol. 3B 15.4): the capabilities, HWP
 * enabled through IA32_PM_ENABLE (it stays enabled until reset), then a request written. */
void probe_hwp(const struct feat *f)
{
	(void)f;
	step("rdmsr IA32_HWP_CAPABILITIES");
	(void)probe_rdmsr(MSR_HWP_CAPABILITIES);
	step("rdmsr IA32_PM_ENABLE");
	(void)probe_rdmsr(MSR_PM_ENABLE);
	step("wrmsr IA32_PM_ENABLE = 1");
	probe_wrmsr(MSR_PM_ENABLE, 1);
	step("rdmsr IA32_HWP_REQUEST");
	uint64_t req = probe_rdmsr(MSR_HWP_REQUEST);
	step("wrmsr IA32_HWP_REQUEST (the value read)");
	probe_wrmsr(MSR_HWP_REQUEST, req);
}

/* MTRR (Intel SDM vol. 3A 13.11.1): MTRRCAP says how many variable ranges exist and
 * whether the fixed ranges do; each that exists is read and written back, as firmware
 * and Linux's mtrr code do, and so is MTRR_DEF_TYPE. */
void probe_mtrr(const struct feat *f)
{
	(void)f;
	step("rdmsr IA32_MTRRCAP");
	uint64_t cap = probe_rdmsr(0xFE);
	static const struct feat def_type = PROBE(0, 0, 0, 0, "", NULL, 0x2FF);
	probe_msr_rewrite(&def_type);
	for (uint32_t i = 0; i < (cap & 0xff); i++) {
		struct feat range = PROBE2(0, 0, 0, 0, "", NULL, 0x200 + 2 * i, 0x201 + 2 * i);
		probe_msr_rewrite(&range);
	}
	if (cap & (1u << 8)) {
		struct feat fix = PROBE2(0, 0, 0, 0, "", NULL, 0x250, 0x258);
		probe_msr_rewrite(&fix);
	}
}

/* TOPOEXT (AMD APM vol. 3 E.4.15/E.4.16): leaves 0x8000001D (cache topology) and 0x8000001E
 * exist. 0x8000001E may be all zeros (one core, one node), 0x8000001D describes a cache. */
void probe_topoext(const struct feat *f)
{
	(void)f;
	step("cpuid 0x80000000, 0x8000001d");
	if (cpuid(0x80000000u, 0).eax < 0x8000001Eu)
		probe_wrong("the largest extended leaf is below 0x8000001E");
	else if (!(cpuid(0x8000001Du, 0).eax & 0x1f))
		probe_wrong("leaf 0x8000001D subleaf 0 shows no cache");
}

/* A feature that only adds a CPUID leaf (arg): the leaf must answer. */
void probe_cpuid_leaf(const struct feat *f)
{
	step("cpuid");
	struct cpuid_regs r = cpuid(f->arg, 0);
	if (!r.eax && !r.ebx && !r.ecx && !r.edx)
		probe_wrong("the CPUID leaf it announces is all zeros");
}
