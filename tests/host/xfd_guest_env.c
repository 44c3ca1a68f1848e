/* The XFD test guest (tests/host/xfd_guest_env.h). */
#include <string.h>
#include "arch/x86/msr_index.h"
#include "tests/host/harness.h"
#include "tests/host/xfd_guest_env.h"

void enter(struct env *e)
{
	xfd_load_guest(&e->x);
	xm_vmentry(&e->m);
}

void vmexit(struct env *e)
{
	xm_vmexit(&e->m);
	e->exits++;
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
	xfd_cpu_init(&e->cpu, &xm_ops, &e->m, e->l.xfd);
	xfd_vcpu_init(&e->x, &e->cpu, &xm_ops, &e->m, e->l.xfd, e->l.xfd_mask, permitted);
	enter(e);
}

int g_wrmsr(struct env *e, uint32_t msr, uint64_t val)
{
	if (!e->virt || (msr == MSR_XFD && !e->m.xfd_write_intercept))
		return xm_wrmsr(&e->m, msr, val) == XM_NONE ? 0 : -1;
	vmexit(e);
	int rc = msr == MSR_XFD ? xfd_wrmsr_xfd(&e->x, val) : xfd_wrmsr_xfd_err(&e->x, val);
	enter(e);
	return rc == XFD_OK ? 0 : -1;
}

uint64_t g_rdmsr(struct env *e, uint32_t msr)
{
	uint64_t val = ~0ull;
	if (!e->virt || msr == MSR_XFD)
		return xm_rdmsr(&e->m, msr);
	vmexit(e);
	CHECK_EQ(xfd_rdmsr_xfd_err(&e->x, &val), XFD_OK);
	enter(e);
	return val;
}

enum xm_fault g_use(struct env *e, uint64_t need, uint64_t val)
{
	enum xm_fault f = xm_use(&e->m, need, val);
	if (f != XM_NM_EXIT)
		return f;
	e->exits++;
	xfd_on_nm_exit(&e->x);
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
