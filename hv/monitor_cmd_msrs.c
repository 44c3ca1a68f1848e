/*
 * The monitor's `msrs NAME`: the MSR policy table (hv/msr_policy.c) as it applies to the
 * guest: for every rule its MSRs, what a read and a write do (passed through, kept in a
 * VMCB/VMCS field, emulated, denied) and the guest's current values where the hypervisor
 * knows them: emulated and field MSRs as the guest's RDMSR would be answered, and the
 * passed-through MSRs the snapshot holds (hv/guest_state.h), all read on the guest's CPU.
 */
#include "arch/x86/msr_index.h"
#include "hv/fmt.h"
#include "hv/lib.h"
#include "hv/monitor_cmds.h"
#include "hv/msr_policy.h"
#include "hv/vcpu.h"

static struct guest_state st;

/* A passed-through or multi-MSR rule's value from the snapshot, when it holds one. */
static bool known_value(const struct vcpu *v, uint32_t msr, uint64_t *val)
{
	switch (msr) {
	case MSR_TSC:
		*val = st.taken_tsc + v->tsc_offset; /* guest TSC = host TSC + offset */
		return true;
	case MSR_SYSENTER_CS:
		*val = st.sysenter_cs;
		return true;
	case MSR_SYSENTER_CS + 1: /* SYSENTER_ESP */
		*val = st.sysenter_esp;
		return true;
	case MSR_SYSENTER_CS + 2: /* SYSENTER_EIP */
		*val = st.sysenter_eip;
		return true;
	case MSR_STAR:
		*val = st.star;
		return true;
	case MSR_LSTAR:
		*val = st.lstar;
		return true;
	case MSR_CSTAR:
		*val = st.cstar;
		return true;
	case MSR_SFMASK:
		*val = st.sfmask;
		return true;
	case MSR_FS_BASE:
		*val = st.seg[SEG_FS].hidden.base;
		return true;
	case MSR_GS_BASE:
		*val = st.seg[SEG_GS].hidden.base;
		return true;
	case MSR_KERNEL_GS_BASE:
		*val = st.kernel_gs_base;
		return true;
	case MSR_XFD:
		*val = st.xfd;
		return st.has_xfd;
	case MSR_XFD_ERR:
		*val = st.xfd_err;
		return st.has_xfd;
	case MSR_EFER:
		*val = st.efer;
		return true;
	case MSR_PAT:
		*val = st.pat;
		return true;
	default:
		return false;
	}
}

static void run_msrs(unsigned argc, char **argv)
{
	(void)argc;
	struct vcpu *v = mon_guest("msrs", argv[1]);
	if (!v || !mon_snapshot("msrs", v, &st))
		return;
	mon_printf("guest %s cpu %u: MSR policy (anything not listed: denied, #GP)\n",
		   v->cfg->name, v->cpu);
	for (size_t i = 0; i < msr_rule_count; i++) {
		const struct msr_rule *r = &msr_rules[i];
		char range[24], values[160];
		if (r->first == r->last)
			hv_snprintf(range, sizeof(range), "0x%x", r->first);
		else
			hv_snprintf(range, sizeof(range), "0x%x-0x%x", r->first, r->last);
		size_t n = 0;
		bool any = false; /* values are shown when the snapshot knows at least one */
		values[0] = 0;
		if (r->read != MSR_DENY && r->last - r->first < 4) {
			for (uint32_t m = r->first; m <= r->last && n < sizeof(values); m++) {
				uint64_t val = 0;
				bool have = known_value(v, m, &val);
				if (!have && r->first == r->last && i < GUEST_STATE_MSR_RULES &&
				    st.msr_ok[i]) {
					val = st.msr_val[i];
					have = true;
				}
				any |= have;
				if (have)
					n += (size_t)hv_snprintf(values + n, sizeof(values) - n,
								 " 0x%llx", (unsigned long long)val);
				else
					n += (size_t)hv_snprintf(values + n, sizeof(values) - n, " ?");
			}
		}
		if (!any) {
			n = 0;
			values[0] = 0;
		}
		char how[64];
		if (r->read == r->write)
			hv_snprintf(how, sizeof(how), "%s", msr_handling_name(r->read));
		else
			hv_snprintf(how, sizeof(how), "read %s, write %s", msr_handling_name(r->read),
				    msr_handling_name(r->write));
		mon_printf("  %-23s %-22s %s%s%s\n", range, r->name, how, n ? ":" : "", values);
	}
}

const struct monitor_cmd mon_cmd_msrs = {
	"msrs", "NAME", "the MSR policy for the guest: passed through, emulated (value), denied",
	1, 1, run_msrs,
};
