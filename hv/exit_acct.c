/* Exit-path accounting (hv/exit_acct.h): called only from HV_BENCH builds. */
#include "hv/exit_acct.h"
#include "hv/percpu.h"
#include "hv/vcpu.h"

static volatile bool started;

void exit_acct_start(struct vcpu *v)
{
	started = true;
	v->acct_live = true;
}

void exit_acct_add(enum acct_item what, uint64_t n)
{
	if (!started)
		return;
	struct vcpu *v = this_cpu()->vcpu;
	if (!v || !v->acct_live)
		return;
	struct exit_costs *c = &v->costs[v->cur_kind];
	switch (what) {
	case ACCT_MSR:
		c->msr += n;
		break;
	case ACCT_XSAVE:
		c->xsave += n;
		break;
	case ACCT_VMSAVE:
		c->vmsave += n;
		break;
	case ACCT_VMLOAD:
		c->vmload += n;
		break;
	case ACCT_VMWRITE:
		c->vmwrite += n;
		break;
	}
}
