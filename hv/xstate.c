/* Guest extended state glue between the core, the XSAVE allocator and the XFD state machine. */
#include "arch/x86/msr_index.h"
#include "hv/host_cpu.h"
#include "hv/lib.h"
#include "hv/page_alloc.h"
#include "hv/vcpu.h"
#include "hv/xcr0_policy.h"
#include "hv/xstate.h"

#define XSTATE_HEAP_PAGES 64

static struct xsave_layout host_layout;
static struct xsave_heap heap;
static bool ready;

int xstate_host_init(void)
{
	if (xsave_layout_init(&host_layout, host_cpuid) || !host_layout.valid)
		return -1; /* no XSAVE: guests get x87/SSE only, which FXSAVE-era CPUs keep live anyway */
	if (xsave_alloc_init(&heap, &hv_pool, XSTATE_HEAP_PAGES))
		return -1;
	ready = true;
	return 0;
}

void xstate_guest_init(struct vcpu *v)
{
	if (!ready)
		return;
	/* Dynamic features (AMX tile data) get room only when the guest first enables them. */
	uint64_t initial = v->xcr0_allowed & ~XFEATURE_AMX;
	if (xsave_area_create(&heap, &host_layout, 1, v->xcr0_allowed, initial, &v->xs.area) == XSAVE_OK)
		v->xs.has_area = true;
	else
		vcpu_stop(v, "out of memory for its XSAVE area (features 0x%llx)",
			  (unsigned long long)initial);
}

static uint64_t op_rdmsr(void *ctx, uint32_t msr)
{
	(void)ctx;
	return host_rdmsr(msr);
}

static void op_wrmsr(void *ctx, uint32_t msr, uint64_t val)
{
	(void)ctx;
	host_wrmsr(msr, val);
}

static void op_xfd_write_intercept(void *ctx, bool on)
{
	struct vcpu *v = ctx;
	v->be->set_intercept(v, INTERCEPT_XFD_WRITE, on);
}

static void op_nm_intercept(void *ctx, bool on)
{
	struct vcpu *v = ctx;
	v->be->set_intercept(v, INTERCEPT_NM, on);
}

static const struct xfd_ops xfd_ops = {
	.rdmsr = op_rdmsr,
	.wrmsr = op_wrmsr,
	.set_xfd_write_intercept = op_xfd_write_intercept,
	.set_nm_intercept = op_nm_intercept,
};

/* XRSTOR of an image whose XSTATE_BV is 0 puts every requested component in its init
 * state (SDM vol. 1 13.8.1); xfd_guest_start runs it with XFD clear. */
static void load_init_state(void *ctx)
{
	struct vcpu *v = ctx;
	xsave_area_init_image(&v->xs.area);
	host_xsetbv(0, v->xs.area.mask);
	host_xrstor(v->xs.area.buf, v->xs.area.mask);
	/* AMX joins the area only when the guest's XSETBV enables it (xstate_xsetbv), so the
	 * XRSTOR above cannot reach tile state that an earlier user of the core left behind:
	 * TILERELEASE puts TILECFG and TILEDATA in their init state (XFD is clear here). */
	if ((v->xcr0_allowed & XFEATURE_AMX) == XFEATURE_AMX && !(v->xs.area.mask & XFEATURE_TILEDATA)) {
		host_xsetbv(0, v->xs.area.mask | XFEATURE_AMX);
		host_tilerelease();
	}
	host_xsetbv(0, XFEATURE_X87); /* XCR0's power-on value: the guest enables the rest */
	v->xcr0 = XFEATURE_X87;
}

void xstate_guest_start(struct vcpu *v)
{
	if (!v->xs.has_area)
		return;
	xfd_guest_start(&v->xs.xfd, &v->xs.xfd_cpu, &xfd_ops, v, host_layout.xfd,
			host_layout.xfd_mask, v->xcr0_allowed, load_init_state);
}

int xstate_xsetbv(struct vcpu *v, uint64_t val)
{
	if (!v->xs.has_area || !(val & ~v->xs.area.requested))
		return 0;
	int rc = xsave_area_grow(&heap, &v->xs.area, val | v->xs.area.requested);
	if (rc == XSAVE_OK)
		return 0;
	vcpu_stop(v, "XSETBV 0x%llx: %s growing its XSAVE area", (unsigned long long)val,
		  rc == XSAVE_ENOMEM ? "out of memory" : "internal error");
	return -1;
}

void xstate_cpuid(struct vcpu *v, uint32_t leaf, uint32_t subleaf, struct cpuid_value *r)
{
	if (leaf != 0xd || subleaf > 1)
		return;
	/* The guest's XCR0 is live in the CPU (XSETBV may not even exit, as under QEMU TCG);
	 * without a usable XSAVE setup here the host cannot XGETBV, but then every XSETBV
	 * exits and v->xcr0 is current. No IA32_XSS for guests. */
	cpuid_xsave_dynamic(&v->cpuid, ready ? host_xgetbv0() : v->xcr0, 0, subleaf, r);
	if (subleaf == 1 && v->xs.xfd.enabled)
		r->eax |= CPUID_D1_EAX_XFD;
}

/*
 * The guest's XFD and XFD_ERR stay in the hardware while it runs; nothing on the
 * hot exit path touches them. Only these slow-path events change them, so each
 * puts the guest's values back right away (a compare against the per-CPU cache
 * when nothing changed) instead of checking on every VM entry: hv/xfd_state.c's
 * xfd_exit_* sequences, which the host tests drive too.
 */
int xstate_msr_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	if (!v->xs.xfd.enabled)
		return -1;
	return xfd_exit_rdmsr(&v->xs.xfd, msr, val);
}

int xstate_msr_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
	if (!v->xs.xfd.enabled)
		return -1;
	return xfd_exit_wrmsr(&v->xs.xfd, msr, val);
}

bool xstate_nm_exit(struct vcpu *v)
{
	if (!v->xs.xfd.enabled)
		return false;
	xfd_exit_nm(&v->xs.xfd);
	return true;
}

/* [hv] debug_dirty_xstate_cpu (testing only): before xstate_guest_start, every component
 * the guest may use but MPX and AMX (whose reserved fields XRSTOR checks) is loaded with
 * values other than its init state, as an earlier user of the core could leave them: the
 * firmware leaves only x87 dirty (on the boot CPU), so without this the init-state check of
 * guest/xstate could not see the reset fail for SSE, AVX, AVX-512 or PKRU. */
uint64_t xstate_debug_dirty(struct vcpu *v)
{
	if (!v->xs.has_area)
		return 0;
	struct xsave_area *a = &v->xs.area;
	uint64_t dirty = a->mask & (XFEATURE_X87 | XFEATURE_SSE | XFEATURE_AVX | XFEATURE_AVX512 |
				    XFEATURE_PKRU);
	xsave_area_init_image(a);
	struct xsave_legacy *l = xsave_area_legacy(a);
	l->fcw = XSAVE_INIT_FCW ^ 0xc00;      /* rounding toward zero, all exceptions masked */
	l->ftw = 0xff;                         /* every ST register valid */
	l->mxcsr = XSAVE_INIT_MXCSR | 0x6000; /* rounding toward zero */
	memset(l->st, 0x5a, sizeof(l->st));
	memset(l->xmm, 0x5a, sizeof(l->xmm));
	uint8_t *ext = (uint8_t *)a->buf + XSAVE_LEGACY_SIZE + XSAVE_HEADER_SIZE;
	memset(ext, 0x5a, a->size - XSAVE_LEGACY_SIZE - XSAVE_HEADER_SIZE);
	xsave_area_header(a)->xstate_bv = dirty;
	host_xsetbv(0, a->mask);
	host_xrstor(a->buf, dirty);
	host_xsetbv(0, XFEATURE_X87);
	xsave_area_init_image(a);
	return dirty;
}
