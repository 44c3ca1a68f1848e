/* Evaluating the CPUID feature table (see cpuid_features.h) and rendering it as Markdown. */
#include "hv/cpuid_features.h"
#include "hv/fmt.h"
#include "hv/msr_policy.h"

const char *cpuid_feature_unmet(const struct cpuid_feature *f, const struct cpuid_need_env *env)
{
	if (f->insns & ~env->caps.insns)
		return "instruction intercepted or not enabled";
	if (f->cr4 & ~env->caps.cr4)
		return "CR4 bit not available to the guest";
	if (f->efer & ~env->efer)
		return "EFER bit not offered";
	if (f->xcr0 & ~env->xcr0)
		return "XCR0 component not permitted";
	if (f->xcr0 && !(env->caps.cr4 & CPUID_CR4_OSXSAVE))
		return "XSAVE cannot be enabled (CR4.OSXSAVE)";
	if (f->xss & ~env->xss)
		return "IA32_XSS component not permitted";
	for (int i = 0; i < CPUID_MAX_NEED_MSRS && f->msrs[i]; i++)
		if (msr_handling_for(f->msrs[i], false) == MSR_DENY)
			return "MSR denied by the MSR policy";
	return NULL;
}

static bool same_reg(const struct cpuid_feature *f, uint32_t leaf, uint32_t subleaf, unsigned reg)
{
	return f->leaf == leaf && f->subleaf == subleaf && f->reg == reg;
}

uint32_t cpuid_feature_allowed(const struct cpuid_feature_set *set, uint32_t leaf, uint32_t subleaf,
			       unsigned reg, const struct cpuid_need_env *env)
{
	uint32_t ok = 0;
	for (size_t i = 0; i < set->count; i++) {
		const struct cpuid_feature *f = &set->entries[i];
		if (!same_reg(f, leaf, subleaf, reg))
			continue;
		if (f->choice == CPUID_HV_SET || (f->choice == CPUID_OFFER && !cpuid_feature_unmet(f, env)))
			ok |= f->mask;
	}
	return ok;
}

uint32_t cpuid_feature_covered(const struct cpuid_feature_set *set, uint32_t leaf, uint32_t subleaf,
			       unsigned reg)
{
	uint32_t m = 0;
	for (size_t i = 0; i < set->count; i++)
		if (same_reg(&set->entries[i], leaf, subleaf, reg))
			m |= set->entries[i].mask;
	return m;
}

bool cpuid_feature_is_reg(uint32_t leaf, uint32_t subleaf, unsigned reg)
{
	for (size_t i = 0; i < cpuid_feature_reg_count; i++) {
		const struct cpuid_feature_reg *r = &cpuid_feature_regs[i];
		if (r->leaf == leaf && r->subleaf == subleaf && r->reg == reg)
			return true;
	}
	return false;
}

const char *cpuid_choice_name(enum cpuid_choice c)
{
	switch (c) {
	case CPUID_OFFER:
		return "offer";
	case CPUID_DYNAMIC:
		return "dynamic";
	case CPUID_HV_SET:
		return "always set";
	default:
		return "hide";
	}
}

const char *cpuid_reg_name(unsigned reg)
{
	static const char *const names[] = { "EAX", "EBX", "ECX", "EDX" };
	return reg < 4 ? names[reg] : "?";
}

struct out {
	char *buf;
	size_t size, len;
};

static void emit(struct out *o, const char *fmt, ...) PRINTF_LIKE(2, 3);
static void emit(struct out *o, const char *fmt, ...)
{
	size_t room = o->len < o->size ? o->size - o->len : 0;
	va_list ap;
	va_start(ap, fmt);
	int n = hv_vsnprintf(o->buf ? o->buf + o->len : NULL, room, fmt, ap);
	va_end(ap);
	o->len += n > 0 ? (size_t)n : 0;
}

/* "bit 5" or "bits 21:17" */
static void emit_bits(struct out *o, uint32_t mask)
{
	int lo = __builtin_ctz(mask), hi = 31 - __builtin_clz(mask);
	if (lo == hi)
		emit(o, "%d", lo);
	else
		emit(o, "%d:%d", hi, lo);
}

static void emit_needs(struct out *o, const struct cpuid_feature *f)
{
	static const char *const insn_names[CPUID_INSN_COUNT] = {
		"MONITOR/MWAIT", "MONITORX/MWAITX", "RDTSCP", "RDPID", "INVPCID",
		"XSAVES/XRSTORS", "TPAUSE/UMONITOR/UMWAIT", "INVLPGB/TLBSYNC", "PCONFIG",
	};
	const char *sep = "";
	for (int i = 0; i < CPUID_INSN_COUNT; i++)
		if (f->insns & BIT(i)) {
			emit(o, "%s%s runs", sep, insn_names[i]);
			sep = ", ";
		}
	if (f->cr4) {
		emit(o, "%sCR4 0x%llx", sep, (unsigned long long)f->cr4);
		sep = ", ";
	}
	if (f->efer) {
		emit(o, "%sEFER 0x%llx", sep, (unsigned long long)f->efer);
		sep = ", ";
	}
	if (f->xcr0) {
		emit(o, "%sXCR0 0x%llx", sep, (unsigned long long)f->xcr0);
		sep = ", ";
	}
	if (f->xss) {
		emit(o, "%sXSS 0x%llx", sep, (unsigned long long)f->xss);
		sep = ", ";
	}
	for (int i = 0; i < CPUID_MAX_NEED_MSRS && f->msrs[i]; i++) {
		emit(o, "%sMSR 0x%x", sep, f->msrs[i]);
		sep = ", ";
	}
}

size_t cpuid_policy_markdown(char *buf, size_t size)
{
	struct out o = { buf, size, 0 };
	emit(&o, "# CPUID policy\n\nGenerated from `cpuid_features` in hv/cpuid_feature_table.c by "
		 "`make cpuid-doc`; a unit test checks that this file matches the table.\n\n"
		 "The table is an allowlist over the feature registers listed below: a bit no entry "
		 "names is never shown. A bit is shown when the host has it, its entry says *offer*, "
		 "and every need is met for this guest on this CPU and backend: the instructions run "
		 "(not intercepted into #UD; on VMX the enabling control is set), the CR4/EFER bits "
		 "can be set, the XCR0/IA32_XSS components are permitted (and, for XCR0 state, XSAVE "
		 "can be enabled: CR4.OSXSAVE), and the MSR policy "
		 "(docs/msr-policy.md) offers the MSRs. *dynamic* bits are 0 in the table and set by "
		 "the CPUID exit from guest state. tests/host/test_cpuid_dumps.c checks every dump in "
		 "../shared/cpuid/ against these rules.\n\nFeature registers:");
	for (size_t i = 0; i < cpuid_feature_reg_count; i++) {
		const struct cpuid_feature_reg *r = &cpuid_feature_regs[i];
		emit(&o, "%s 0x%x.%u %s", i ? "," : "", r->leaf, r->subleaf, cpuid_reg_name(r->reg));
	}
	emit(&o, ".\n\n| leaf.sub | reg | bit | feature | choice | needs | why |\n"
		 "| --- | --- | --- | --- | --- | --- | --- |\n");
	for (size_t i = 0; i < cpuid_feature_count; i++) {
		const struct cpuid_feature *f = &cpuid_features[i];
		emit(&o, "| 0x%x.%u | %s | ", f->leaf, f->subleaf, cpuid_reg_name(f->reg));
		emit_bits(&o, f->mask);
		emit(&o, " | %s | %s | ", f->name, cpuid_choice_name((enum cpuid_choice)f->choice));
		emit_needs(&o, f);
		emit(&o, " | %s |\n", f->why);
	}
	emit(&o, "\n## Leaves shown only with their feature\n\n"
		 "| leaf | shown when | what |\n| --- | --- | --- |\n");
	for (size_t i = 0; i < cpuid_leaf_rule_count; i++) {
		const struct cpuid_leaf_rule *r = &cpuid_leaf_rules[i];
		emit(&o, "| 0x%x | ", r->leaf);
		if (r->dep_mask) {
			emit(&o, "0x%x.%u %s bit ", r->dep_leaf, r->dep_subleaf, cpuid_reg_name(r->dep_reg));
			emit_bits(&o, r->dep_mask);
			emit(&o, " shown");
		} else {
			emit(&o, "never");
		}
		emit(&o, " | %s |\n", r->why);
	}
	emit(&o, "\n## Leaves the hypervisor writes (hv/cpuid_policy.c)\n\n"
		 "| leaf | value |\n| --- | --- |\n"
		 "| 0x15 (Intel) | EAX = 1, EBX = 1, ECX = TSC Hz: the \"crystal\" is the TSC, which "
		 "is also the APIC timer's input clock, so TSC Hz = ECX * EBX / EAX exactly (the "
		 "calibration gives whole kHz); ECX = 0 (not enumerated) for a TSC of 2^32 Hz or "
		 "more. The basic range grows to 0x16 where the host's is shorter |\n"
		 "| 0x16 (Intel) | EAX = base MHz, EBX = maximum MHz (both the TSC rate), ECX = bus "
		 "(reference) MHz = the APIC timer's input clock |\n"
		 "| 0x40000000 | EAX = 0x40000010 (highest hypervisor leaf); EBX, ECX, EDX = "
		 "\"HvTypeOneX86\" |\n"
		 "| 0x40000001 | EAX = 1, EBX = physical CPU, ECX = memory in MiB, EDX = restarts of this guest so far (hv/guest_restart.h) |\n"
		 "| 0x40000002-0x4000000F | 0 |\n"
		 "| 0x40000010 | EAX = TSC kHz, EBX = APIC timer (bus) kHz, as VMware and KVM report "
		 "them |\n");
	if (size)
		buf[o.len < size ? o.len : size - 1] = 0;
	return o.len;
}
