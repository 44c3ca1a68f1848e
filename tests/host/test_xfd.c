/*
 * hv/xfd_state.c against the XFD hardware model (tests/host/xfd_model.c), with
 * the guest run as the backends will run it (tests/host/xfd_guest_env.h).
 */
#include <stdlib.h>
#include <string.h>
#include "arch/x86/msr_index.h"
#include "hv/xcr0_policy.h"
#include "hv/xsave_alloc.h"
#include "tests/host/harness.h"
#include "tests/host/xfd_guest_env.h"
#include "tests/host/xfd_model.h"
#include "tests/host/xsave_test_env.h"

/* One XSAVE area on a pool of its own. */
struct area_env {
	struct pool_env p;
	struct xsave_area a;
};

static int area_init(struct area_env *ae, const struct xsave_layout *l, uint64_t mask)
{
	if (pool_env_init(&ae->p, 8, 8))
		return -1;
	return xsave_area_create(&ae->p.heap, l, 1, mask, mask, &ae->a);
}

static void area_free(struct area_env *ae)
{
	pool_env_free(&ae->p);
}

TEST(xfd_first_nonzero_write_switches_to_passthrough)
{
	struct env e;
	env_init(&e, xm_cpuid_spr, GUEST_XCR0, XM_ERR_LOAD, true);
	CHECK(e.m.xfd_write_intercept && !e.m.nm_intercept);
	int w = e.m.wrmsr_calls;
	CHECK_EQ(g_wrmsr(&e, MSR_XFD, 0), 0); /* validated, still intercepted */
	CHECK(e.m.xfd_write_intercept && !e.x.passthrough);
	CHECK_EQ(e.m.wrmsr_calls, w); /* the hardware already holds 0 */
	CHECK_EQ(g_wrmsr(&e, MSR_XFD, TILE), 0);
	CHECK(!e.m.xfd_write_intercept && e.m.nm_intercept && e.x.passthrough);
	CHECK_EQ(e.m.xfd, TILE); /* loaded before the entry */
	CHECK_EQ(e.m.wrmsr_calls, w + 1);
	/* From now on the guest writes the hardware directly: no exit. */
	int exits = e.exits;
	CHECK_EQ(g_wrmsr(&e, MSR_XFD, 0), 0);
	CHECK_EQ(g_wrmsr(&e, MSR_XFD, TILE), 0);
	CHECK_EQ(g_wrmsr(&e, MSR_XFD, 0), 0);
	CHECK_EQ(e.exits, exits);
	/* Reads are intercepted (the MSR policy): each reads the hardware back, and the value
	 * the guest writes without an exit after a read is what the next read returns. */
	CHECK_EQ(g_rdmsr(&e, MSR_XFD), 0);
	CHECK(e.x.passthrough && e.m.nm_intercept); /* back to 0 does not re-intercept */
	CHECK_EQ(g_wrmsr(&e, MSR_XFD, TILE), 0);
	CHECK_EQ(e.exits, exits + 1);
	CHECK_EQ(g_rdmsr(&e, MSR_XFD), TILE);
	CHECK_EQ(g_wrmsr(&e, MSR_XFD, 0), 0);
	CHECK_EQ(g_rdmsr(&e, MSR_XFD), 0);
	CHECK_EQ(e.exits, exits + 3);
	/* A backend that still sees an XFD write in passthrough (both directions of the MSR
	 * intercepted by its bitmap, say): the hardware value the guest left is replaced. */
	vmexit(&e);
	CHECK_EQ(xfd_exit_wrmsr(&e.x, MSR_XFD, TILE), XFD_OK);
	enter(&e);
	CHECK_EQ(e.m.xfd, TILE);
	CHECK_EQ(e.m.bad_calls, 0);
}

TEST(xfd_invalid_bits_raise_gp)
{
	struct env e;
	env_init(&e, xm_cpuid_spr, GUEST_XCR0, XM_ERR_LOAD, true);
	CHECK_EQ(g_wrmsr(&e, MSR_XFD, TCFG), -1);     /* TILECFG: ECX[2] = 0 */
	CHECK_EQ(g_wrmsr(&e, MSR_XFD, BIT(19)), -1);  /* no such component */
	CHECK_EQ(g_wrmsr(&e, MSR_XFD, BIT(63)), -1);
	CHECK_EQ(g_wrmsr(&e, MSR_XFD_ERR, TCFG), -1);
	CHECK(e.m.xfd_write_intercept && !e.x.passthrough); /* #GP does not switch */
	CHECK_EQ(e.m.xfd, 0);
	CHECK_EQ(g_wrmsr(&e, MSR_XFD_ERR, TILE), 0);
	CHECK_EQ(e.m.xfd_err, TILE);

	/* AMX not permitted to this guest: XFD-capable in hardware but not for it. */
	env_init(&e, xm_cpuid_spr, 0x2e7, XM_ERR_LOAD, true);
	CHECK_EQ(g_wrmsr(&e, MSR_XFD, TILE), -1);
	CHECK_EQ(g_wrmsr(&e, MSR_XFD_ERR, TILE), -1);

	/* A CPU without XFD: every access #GPs and the MSRs are never touched. */
	env_init(&e, xm_cpuid_spr, GUEST_XCR0, XM_ERR_LOAD, true);
	struct xfd_model m;
	struct xfd_cpu c = { 0 };
	struct xfd_vcpu x;
	struct xsave_layout l = e.l;
	l.xfd = false;
	l.xfd_mask = 0;
	xm_init(&m, &l, GUEST_XCR0, XM_ERR_LOAD);
	xfd_vcpu_init(&x, &c, &xm_ops, &m, false, 0, GUEST_XCR0);
	uint64_t v;
	CHECK_EQ(xfd_wrmsr_xfd(&x, 0), XFD_GP);
	CHECK_EQ(xfd_wrmsr_xfd(&x, TILE), XFD_GP);
	CHECK_EQ(xfd_rdmsr_xfd(&x, &v), XFD_GP);
	CHECK_EQ(xfd_wrmsr_xfd_err(&x, 0), XFD_GP);
	CHECK_EQ(xfd_rdmsr_xfd_err(&x, &v), XFD_GP);
	xfd_on_nm_exit(&x);
	xfd_load_host(&x);
	xfd_load_guest(&x);
	xfd_reset(&x);
	CHECK_EQ(m.rdmsr_calls + m.wrmsr_calls + m.intercept_calls, 0);
}

TEST(xfd_nm_exit_captures_xfd_err_and_reflects_it)
{
	struct env e;
	env_init(&e, xm_cpuid_spr, GUEST_XCR0, XM_ERR_LOAD, true);
	CHECK_EQ(g_use(&e, TILE | TCFG, 0x1111), XM_NONE); /* tiles in use */
	CHECK_EQ(g_wrmsr(&e, MSR_XFD, TILE), 0);            /* the guest OS arms XFD */
	CHECK_EQ(g_use(&e, TILE | TCFG, 0x2222), XM_NM_GUEST);
	CHECK_EQ(e.injected, 1);
	CHECK_EQ(e.x.xfd_err, TILE); /* captured at the exit */
	CHECK_EQ(e.m.value[18], 0x1111); /* XFD does not touch the registers */
	/* The hypervisor saves guest state before the handler runs: the hardware register
	 * is cleared for its own sake, the captured value is not lost. */
	hv_xsave_begin(&e);
	CHECK_EQ(e.m.xfd_err, 0);
	CHECK_EQ(e.m.xfd, 0);
	hv_xsave_end(&e);
	CHECK_EQ(e.m.xfd_err, TILE);
	CHECK_EQ(e.m.xfd, TILE);
	/* The guest's handler: read XFD_ERR, disarm XFD, clear XFD_ERR, retry. */
	CHECK_EQ(g_rdmsr(&e, MSR_XFD_ERR), TILE);
	CHECK_EQ(g_wrmsr(&e, MSR_XFD, 0), 0);
	CHECK_EQ(g_wrmsr(&e, MSR_XFD_ERR, 0), 0);
	CHECK_EQ(e.m.xfd_err, 0);
	CHECK_EQ(g_use(&e, TILE | TCFG, 0x2222), XM_NONE);
	CHECK_EQ(e.m.value[18], 0x2222);
	CHECK_EQ(e.m.bad_calls, 0);
	CHECK_EQ(e.m.host_nm, 0);
}

/* Two XFD #NMs before the guest clears XFD_ERR; returns what its handler reads. */
static uint64_t two_nms(struct env *e)
{
	CHECK_EQ(g_wrmsr(e, MSR_XFD, TILE | TCFG), 0);
	CHECK_EQ(g_use(e, TILE, 1), XM_NM_GUEST);
	CHECK_EQ(g_use(e, TCFG, 2), XM_NM_GUEST); /* e.g. in the handler, before RDMSR */
	uint64_t seen = g_rdmsr(e, MSR_XFD_ERR);
	CHECK_EQ(g_wrmsr(e, MSR_XFD_ERR, 0), 0);
	CHECK_EQ(g_rdmsr(e, MSR_XFD_ERR), 0);
	return seen;
}

TEST(xfd_err_additive_behaviour_matches_bare_metal)
{
	static const enum xm_err_rule rules[] = { XM_ERR_ACCUMULATE, XM_ERR_LOAD };
	for (unsigned r = 0; r < 2; r++) {
		struct env bare, virt;
		env_init(&bare, xm_cpuid_spr_xfd2, GUEST_XCR0, rules[r], false);
		env_init(&virt, xm_cpuid_spr_xfd2, GUEST_XCR0, rules[r], true);
		REQUIRE(virt.l.xfd_mask == (TILE | TCFG));
		uint64_t b = two_nms(&bare), v = two_nms(&virt);
		CHECK_EQ(v, b);
		CHECK_EQ(virt.injected, 2);
		CHECK_EQ(virt.m.guest_nm, bare.m.guest_nm);
		CHECK_EQ(v, rules[r] == XM_ERR_ACCUMULATE ? (TILE | TCFG) : TCFG);
		CHECK_EQ(virt.m.bad_calls, 0);
	}
}

TEST(xfd_exit_between_guest_nm_and_its_handler)
{
	static const enum xm_err_rule rules[] = { XM_ERR_ACCUMULATE, XM_ERR_LOAD };
	for (unsigned r = 0; r < 2; r++) {
		struct env bare, e;
		env_init(&bare, xm_cpuid_spr_xfd2, GUEST_XCR0, rules[r], false);
		env_init(&e, xm_cpuid_spr_xfd2, GUEST_XCR0, rules[r], true);
		CHECK_EQ(g_wrmsr(&e, MSR_XFD, TILE | TCFG), 0);
		CHECK_EQ(g_wrmsr(&bare, MSR_XFD, TILE | TCFG), 0);
		CHECK_EQ(g_use(&e, TILE, 7), XM_NM_GUEST);
		CHECK_EQ(g_use(&bare, TILE, 7), XM_NM_GUEST);
		/* #NM delivered; before its handler reads XFD_ERR an unrelated exit comes.
		 * A plain exit costs no MSR access at all. */
		int msr_ops = e.m.rdmsr_calls + e.m.wrmsr_calls;
		g_other_exit(&e);
		CHECK_EQ(e.m.rdmsr_calls + e.m.wrmsr_calls, msr_ops);
		/* Another exit where the hypervisor saves the guest's state: while it runs,
		 * the hardware XFD_ERR holds no guest bit. */
		hv_xsave_begin(&e);
		CHECK_EQ(e.m.xfd_err, 0);
		hv_xsave_end(&e);
		/* Inside the handler: a second #NM before the read (worst case), then the read. */
		CHECK_EQ(g_use(&e, TCFG, 8), XM_NM_GUEST);
		CHECK_EQ(g_use(&bare, TCFG, 8), XM_NM_GUEST);
		uint64_t seen = g_rdmsr(&e, MSR_XFD_ERR);
		CHECK_EQ(seen, g_rdmsr(&bare, MSR_XFD_ERR));
		CHECK_EQ(seen, rules[r] == XM_ERR_ACCUMULATE ? (TILE | TCFG) : TCFG);
		/* And with one #NM only: the guest reads its own bit after the host round trip. */
		CHECK_EQ(g_wrmsr(&e, MSR_XFD_ERR, 0), 0);
		CHECK_EQ(g_use(&e, TILE, 9), XM_NM_GUEST);
		hv_xsave_begin(&e);
		CHECK_EQ(e.m.xfd_err, 0);
		hv_xsave_end(&e);
		CHECK_EQ(g_rdmsr(&e, MSR_XFD_ERR), TILE);
		/* The guest stops: the CPU goes back to the hypervisor with nothing left over. */
		vmexit(&e);
		xfd_load_host(&e.x);
		CHECK_EQ(e.m.xfd_err, 0);
		CHECK_EQ(e.m.xfd, 0);
		CHECK_EQ(e.m.bad_calls, 0);
	}
}

TEST(xfd_hypervisor_xsave_saves_armed_components_and_restores_xfd)
{
	struct env e;
	env_init(&e, xm_cpuid_spr, GUEST_XCR0, XM_ERR_LOAD, true);
	struct area_env ae;
	REQUIRE(area_init(&ae, &e.l, GUEST_XCR0) == XSAVE_OK);
	CHECK_EQ(g_use(&e, XFEATURE_AVX, 0xa7a7), XM_NONE);
	CHECK_EQ(g_use(&e, TILE | TCFG, 0x7171), XM_NONE);
	CHECK_EQ(g_wrmsr(&e, MSR_XFD, TILE), 0); /* armed while the tiles hold data */
	vmexit(&e);

	/* What would go wrong without xfd_load_host: XSAVEC records TILEDATA as init. */
	struct xfd_model raw = e.m;
	struct xsave_area scratch = ae.a;
	scratch.buf = aligned_alloc(64, ALIGN_UP((size_t)ae.a.size, 64));
	REQUIRE(scratch.buf != NULL);
	CHECK_EQ(xm_xsave(&raw, &e.l, scratch.buf, true, GUEST_XCR0), XM_NONE);
	CHECK_EQ(xsave_area_header(&scratch)->xstate_bv & TILE, 0);
	/* ... and XRSTOR of a saved TILEDATA with XFD armed #NMs in the host. */
	memcpy(scratch.buf, ae.a.buf, ae.a.size); /* the init image, XCOMP_BV = bit63 | mask */
	xsave_area_header(&scratch)->xstate_bv = TILE;
	CHECK_EQ(xm_xrstor(&raw, &e.l, scratch.buf, GUEST_XCR0), XM_NM_HOST);
	CHECK_EQ(raw.host_nm_xfd_err, TILE);
	free(scratch.buf);

	/* The real sequence. */
	xfd_load_host(&e.x);
	CHECK_EQ(e.m.xfd, 0);
	CHECK_EQ(e.x.xfd, TILE); /* read back from the hardware */
	CHECK_EQ(xm_xsave(&e.m, &e.l, ae.a.buf, ae.a.compacted, ae.a.mask), XM_NONE);
	CHECK_EQ(xsave_area_header(&ae.a)->xstate_bv, XFEATURE_AVX | TILE | TCFG);
	uint64_t saved;
	memcpy(&saved, xsave_area_component(&ae.a, 18), 8);
	CHECK_EQ(saved, 0x7171);
	memcpy(&saved, xsave_area_component(&ae.a, 2), 8);
	CHECK_EQ(saved, 0xa7a7);
	/* The hypervisor replaces the registers (e.g. inspection clobbered them) and
	 * restores them from the area: no #NM, everything back. */
	CHECK_EQ(xm_use(&e.m, TILE | XFEATURE_AVX, 0), XM_NONE);
	CHECK_EQ(xm_xrstor(&e.m, &e.l, ae.a.buf, ae.a.mask), XM_NONE);
	CHECK_EQ(e.m.value[18], 0x7171);
	CHECK_EQ(e.m.value[2], 0xa7a7);
	CHECK_EQ(e.m.host_nm, 0);
	hv_xsave_end(&e);
	CHECK_EQ(e.m.xfd, TILE); /* the guest's XFD is back */
	CHECK_EQ(g_rdmsr(&e, MSR_XFD), TILE);
	/* The guest disarms and finds its tiles intact. */
	CHECK_EQ(g_wrmsr(&e, MSR_XFD, 0), 0);
	CHECK_EQ(e.m.value[18], 0x7171);
	CHECK_EQ(e.m.bad_calls, 0);
	area_free(&ae);
}

TEST(xfd_msr_writes_skipped_when_cache_matches)
{
	struct env e;
	env_init(&e, xm_cpuid_spr, GUEST_XCR0, XM_ERR_LOAD, true);
	CHECK_EQ(e.m.wrmsr_calls, 2); /* CPU bring-up: XFD = XFD_ERR = 0 */
	/* Intercept mode, guest XFD 0: exits and host save/restore cost nothing. */
	for (int i = 0; i < 100; i++) {
		g_other_exit(&e);
		hv_xsave_begin(&e);
		hv_xsave_end(&e);
	}
	CHECK_EQ(e.m.wrmsr_calls, 2);
	CHECK_EQ(e.m.rdmsr_calls, 0);
	CHECK_EQ(g_wrmsr(&e, MSR_XFD_ERR, 0), 0);
	CHECK_EQ(e.m.wrmsr_calls, 2);
	/* An #NM exit before XFD is in use can only come from CR0.TS: XFD_ERR is not read. */
	vmexit(&e);
	xfd_exit_nm(&e.x);
	enter(&e);
	CHECK_EQ(e.m.rdmsr_calls, 0);
	/* Passthrough with XFD armed: plain exits still cost nothing ... */
	CHECK_EQ(g_wrmsr(&e, MSR_XFD, TILE), 0);
	int w = e.m.wrmsr_calls, r = e.m.rdmsr_calls;
	for (int i = 0; i < 100; i++)
		g_other_exit(&e);
	CHECK_EQ(e.m.wrmsr_calls, w);
	CHECK_EQ(e.m.rdmsr_calls, r);
	/* ... a host XSAVE round trip costs one read and the two XFD writes ... */
	hv_xsave_begin(&e);
	xfd_load_host(&e.x); /* twice: nothing more */
	hv_xsave_end(&e);
	CHECK_EQ(e.m.rdmsr_calls, r + 1);
	CHECK_EQ(e.m.wrmsr_xfd, 2 + 2);
	CHECK_EQ(e.m.wrmsr_xfd_err, 1);
	/* ... and none when the guest has disarmed XFD meanwhile (cache says 0). */
	CHECK_EQ(g_wrmsr(&e, MSR_XFD, 0), 0);
	w = e.m.wrmsr_calls;
	hv_xsave_begin(&e);
	hv_xsave_end(&e);
	CHECK_EQ(e.m.wrmsr_calls, w);
	CHECK_EQ(e.m.rdmsr_calls, r + 2);
	CHECK_EQ(e.m.bad_calls, 0);
}

TEST(xfd_guest_reset_clears_xfd_and_xfd_err)
{
	struct env e;
	env_init(&e, xm_cpuid_spr, GUEST_XCR0, XM_ERR_LOAD, true);
	struct area_env ae;
	REQUIRE(area_init(&ae, &e.l, GUEST_XCR0) == XSAVE_OK);
	CHECK_EQ(g_use(&e, TILE | TCFG | XFEATURE_AVX, 0x5555), XM_NONE);
	CHECK_EQ(g_wrmsr(&e, MSR_XFD, TILE), 0);
	CHECK_EQ(g_use(&e, TILE, 1), XM_NM_GUEST);
	CHECK_EQ(e.m.xfd_err, TILE);
	vmexit(&e);
	/* Reset: XFD/XFD_ERR to 0 in hardware first, so the init image's XRSTOR (with
	 * XCR0 covering the area's mask) cannot #NM, then every component is init. */
	xfd_reset(&e.x);
	CHECK_EQ(e.m.xfd, 0);
	CHECK_EQ(e.m.xfd_err, 0);
	CHECK(e.m.xfd_write_intercept && !e.m.nm_intercept && !e.x.passthrough);
	xsave_area_init_image(&ae.a);
	CHECK_EQ(xm_xrstor(&e.m, &e.l, ae.a.buf, ae.a.mask), XM_NONE);
	CHECK_EQ(e.m.xinuse, 0);
	CHECK_EQ(e.m.value[18], 0);
	CHECK_EQ(e.m.host_nm, 0);
	enter(&e);
	CHECK_EQ(g_rdmsr(&e, MSR_XFD), 0);
	CHECK_EQ(g_rdmsr(&e, MSR_XFD_ERR), 0);
	CHECK_EQ(e.m.bad_calls, 0);
	area_free(&ae);
}
