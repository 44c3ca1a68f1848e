/* The XFD test guest (tests/host/xfd_guest_env.h). */
#include <string.h>
#include "arch/x86/msr_index.h"
#include "hv/msr_policy.h"
#include "tests/host/harness.h"
#include "tests/host/xfd_guest_env.h"

/* VM entry: the product does nothing for XFD here (hv/xfd_state.c's xfd_exit_* sequences
 * have already put the guest's values back), so neither does the test. */
void enter(struct env *e)
{
	xm_vmentry(&e->m);
}

void vmexit(struct env *e)
{
	xm_vmexit(&e->m);
	e->exits++;
}

/* xfd_guest_start's XRSTOR of the init image (hv/xstate.c load_init_state): XFD must be
 * clear in the hardware, or an armed component would #NM; every component ends up init. */
static void load_init_state(void *ctx)
{
	struct xfd_model *m = ctx;
	CHECK_EQ(m->xfd, 0);
	CHECK(!m->guest_mode);
	m->xinuse = 0;
	memset(m->value, 0, sizeof(m->value));
	m->init_loads++;
}

void env_init(struct env *e, cpuid_source_fn src, uint64_t permitted, enum xm_err_rule r,
	      bool virt)
{
	memset(e, 0, sizeof(*e));
	xsave_layout_init(&e->l, src);
	xm_init(&e->m, &e->l, permitted & GUEST_XCR0, r);
	e->virt = virt;
	if (!virt) {
		e->m.guest_mode = true;
		return;
	}
	/* What an earlier occupant of the CPU may have left: XFD armed, XFD_ERR set. */
	e->m.xfd = e->m.xfd_err = e->l.xfd_mask;
	xfd_guest_start(&e->x, &e->cpu, &xm_ops, &e->m, e->l.xfd, e->l.xfd_mask, permitted,
			load_init_state);
	CHECK_EQ(e->m.init_loads, 1);
	CHECK_EQ(e->m.xfd | e->m.xfd_err, 0);
	enter(e);
}

/* Does the guest's access exit? As on both backends: what the MSR policy table intercepts
 * (hv/msr_policy.c builds the SVM map and the VMX bitmap from it), except an XFD write
 * once hv/xfd_state.c has switched its intercept off. */
static bool exits(const struct env *e, uint32_t msr, bool write)
{
	if (msr == MSR_XFD && write && !e->m.xfd_write_intercept)
		return false;
	return msr_handling_for(msr, write) != MSR_PASSTHROUGH;
}

int g_wrmsr(struct env *e, uint32_t msr, uint64_t val)
{
	if (!e->virt || !exits(e, msr, true))
		return xm_wrmsr(&e->m, msr, val) == XM_NONE ? 0 : -1;
	vmexit(e);
	int rc = xfd_exit_wrmsr(&e->x, msr, val);
	enter(e);
	return rc == XFD_OK ? 0 : -1;
}

uint64_t g_rdmsr(struct env *e, uint32_t msr)
{
	uint64_t val = ~0ull;
	if (!e->virt || !exits(e, msr, false))
		return xm_rdmsr(&e->m, msr);
	vmexit(e);
	CHECK_EQ(xfd_exit_rdmsr(&e->x, msr, &val), XFD_OK);
	enter(e);
	return val;
}

enum xm_fault g_use(struct env *e, uint64_t need, uint64_t val)
{
	enum xm_fault f = xm_use(&e->m, need, val);
	if (f != XM_NM_EXIT)
		return f;
	e->exits++;
	xfd_exit_nm(&e->x);
	e->injected++;
	e->m.guest_nm++;
	enter(e);
	return XM_NM_GUEST;
}

void g_other_exit(struct env *e)
{
	vmexit(e);
	enter(e);
}

void hv_xsave_begin(struct env *e)
{
	vmexit(e);
	xfd_load_host(&e->x);
}

void hv_xsave_end(struct env *e)
{
	xfd_load_guest(&e->x);
	enter(e);
}
