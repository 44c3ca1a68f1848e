/* hv/xstate.c wired to the core: CPUID view, XSETBV growth, XFD MSRs and #NM, on a
 * Sapphire-Rapids-like host (AMX, XFD), which no emulator here provides. */
#include <stdlib.h>
#include <string.h>
#include "arch/x86/msr_index.h"
#include "hv/guest_setup.h"
#include "hv/page_alloc.h"
#include "hv/xcr0_policy.h"
#include "tests/host/fake_arch.h"
#include "tests/host/harness.h"
#include "tests/host/xfd_model.h"

static struct hv_guest_cfg cfg = { .name = "amx", .memory = 4 << 20 };

static struct vcpu *spr_guest(bool allow_amx, uint8_t *mem, uint8_t *ports)
{
	static void *pool_mem;
	static bool host_ready;
	if (!host_ready) {
		pool_mem = aligned_alloc(4096, 4 << 20);
		page_pool_init(&hv_pool, (uint64_t)(uintptr_t)pool_mem, 4 << 20);
		fake_cpuid_override = xm_cpuid_spr;
		fake_xcr0_supported = 0x602e7;
		CHECK(xstate_host_init() == 0);
		host_ready = true;
	}
	fake_cpuid_override = xm_cpuid_spr;
	cfg.xcr0_set = allow_amx;
	cfg.xcr0 = 0x602e7;
	struct vcpu *v = calloc(1, sizeof(*v));
	struct blob none = { NULL, 0 };
	guest_setup(v, &cfg, 1, 0, mem, &none, NULL, ports);
	struct cpuid_backend_caps caps = { ~0u, ~0ull };
	guest_cpuid_setup(v, &caps);
	v->be = &fake_backend;
	v->arch = calloc(1, sizeof(struct fake_guest));
	return v;
}

static void done(struct vcpu *v)
{
	fake_cpuid_override = NULL;
	free(v->arch);
	free(v);
}

TEST(xstate_cpuid_view_follows_permitted_xcr0)
{
	static uint8_t mem[4 << 20], ports[8192];
	struct vcpu *v = spr_guest(false, mem, ports);
	CHECK_EQ(v->xcr0_allowed, 0x2e7); /* default: everything but AMX */
	REQUIRE(v->xs.has_area);
	CHECK_EQ(v->xs.area.requested, 0x2e7);
	struct cpuid_value d0 = cpuid_lookup(&v->cpuid, 0xd, 0);
	CHECK_EQ(d0.eax, 0x2e7);
	CHECK_EQ(cpuid_lookup(&v->cpuid, 0xd, 18).eax, 0); /* TILEDATA hidden */
	CHECK_EQ(cpuid_lookup(&v->cpuid, 0x1d, 0).eax, 0);
	CHECK_EQ(cpuid_lookup(&v->cpuid, 7, 0).edx & CPUID_7_EDX_AMX_MASK, 0);
	/* Sizes follow the XCR0 live in the CPU and the permitted set. */
	fake_xcr0 = 0x7;
	struct cpuid_value r = cpuid_lookup(&v->cpuid, 0xd, 0);
	xstate_cpuid(v, 0xd, 0, &r);
	CHECK_EQ(r.ebx, 832);
	CHECK_EQ(r.ecx, 2696);
	fake_xcr0 = 0x2e7;
	xstate_cpuid(v, 0xd, 0, &r);
	CHECK_EQ(r.ebx, 2696);
	done(v);

	v = spr_guest(true, mem, ports);
	CHECK_EQ(v->xcr0_allowed, 0x602e7);
	CHECK_EQ(cpuid_lookup(&v->cpuid, 0xd, 0).eax, 0x602e7);
	CHECK_EQ(cpuid_lookup(&v->cpuid, 0xd, 18).eax, 8192);
	r = cpuid_lookup(&v->cpuid, 0xd, 0);
	xstate_cpuid(v, 0xd, 0, &r);
	CHECK_EQ(r.ecx, 11008);
	done(v);
}

TEST(xstate_xsetbv_grows_area_for_amx_and_resets_to_init)
{
	static uint8_t mem[4 << 20], ports[8192];
	struct vcpu *v = spr_guest(true, mem, ports);
	REQUIRE(v->xs.has_area);
	CHECK_EQ(v->xs.area.requested, 0x2e7); /* AMX room only on first use */
	uint32_t small = v->xs.area.size;
	fake_xrstor_calls = 0;
	xstate_guest_start(v);
	CHECK_EQ(fake_xrstor_calls, 1);
	CHECK_EQ(fake_xcr0, XFEATURE_X87); /* the guest starts at XCR0's power-on value */
	struct vm_exit e;
	memset(&e, 0, sizeof(e));
	e.kind = EXIT_XSETBV;
	e.insn_len = 3;
	v->gprs.rcx = 0;
	v->gprs.rax = 0x602e7;
	CHECK_EQ(hv_handle_exit(v, &e), ACT_SKIP);
	CHECK_EQ(v->xs.area.requested, 0x602e7);
	CHECK(v->xs.area.size > small + 8192);
	CHECK_EQ(fake_xcr0, 0x602e7);
	v->gprs.rax = 0x402e7; /* half of AMX */
	CHECK_EQ(hv_handle_exit(v, &e), ACT_INJECT_GP);
	done(v);
}

static enum exit_action msr(struct vcpu *v, uint32_t index, bool write, uint64_t val)
{
	struct vm_exit e;
	memset(&e, 0, sizeof(e));
	e.kind = write ? EXIT_MSR_WRITE : EXIT_MSR_READ;
	e.insn_len = 2;
	e.msr.index = index;
	v->gprs.rax = (uint32_t)val;
	v->gprs.rdx = val >> 32;
	return hv_handle_exit(v, &e);
}

TEST(xstate_xfd_msrs_and_nm_through_the_core)
{
	static uint8_t mem[4 << 20], ports[8192];
	struct vcpu *v = spr_guest(true, mem, ports);
	struct fake_guest *g = v->arch;
	xstate_guest_start(v);
	REQUIRE(v->xs.xfd.enabled);
	CHECK(g->xfd_write_intercept);
	CHECK(!g->nm_intercept);
	CHECK_EQ(msr(v, MSR_XFD, true, 1ull << 17), ACT_INJECT_GP); /* TILECFG is not XFD-capable */
	CHECK_EQ(msr(v, MSR_XFD, true, 1ull << 18), ACT_SKIP);
	CHECK(!g->xfd_write_intercept); /* passed through after the first non-zero write */
	CHECK(g->nm_intercept);
	CHECK_EQ(fake_msr[0], 1ull << 18);
	/* The guest touches tile data: the CPU sets XFD_ERR and raises #NM, which exits. */
	fake_msr[1] = 1ull << 18;
	struct vm_exit e;
	memset(&e, 0, sizeof(e));
	e.kind = EXIT_EXCEPTION;
	e.exc.vector = 7;
	CHECK_EQ(hv_handle_exit(v, &e), ACT_INJECT_NM);
	CHECK_EQ(msr(v, MSR_XFD_ERR, false, 0), ACT_SKIP);
	CHECK_EQ(v->gprs.rax, 1u << 18);
	/* XFD writes now go to the hardware without an exit, reads still exit (MSR policy):
	 * each read returns what the guest last wrote, not a value kept from an earlier read. */
	fake_msr[0] = 0; /* the guest's WRMSR, not intercepted */
	CHECK_EQ(msr(v, MSR_XFD, false, 0), ACT_SKIP);
	CHECK_EQ(v->gprs.rax, 0);
	fake_msr[0] = 1ull << 18;
	CHECK_EQ(msr(v, MSR_XFD, false, 0), ACT_SKIP);
	CHECK_EQ(v->gprs.rax, 1u << 18);
	done(v);
}

TEST(xstate_without_xfd_denies_the_msrs)
{
	struct vcpu *v = fake_vcpu_new(4 << 20);
	CHECK_EQ(msr(v, MSR_XFD, false, 0), ACT_INJECT_GP);
	CHECK_EQ(msr(v, MSR_XFD_ERR, true, 0), ACT_INJECT_GP);
	struct vm_exit e;
	memset(&e, 0, sizeof(e));
	e.kind = EXIT_EXCEPTION;
	e.exc.vector = 7;
	CHECK_EQ(hv_handle_exit(v, &e), ACT_STOP);
	fake_vcpu_free(v);
}

/* Guest start on a CPU whose XCR0 still holds less than the guest may use (the firmware's or
 * the hypervisor's 0x3) and whose XFD is armed: XCR0 must first cover the whole area (XRSTOR
 * only touches RFBM = XCR0 AND the mask, SDM vol. 1 13.8), XFD must be clear (13.14), and
 * the XRSTOR of the init image must put every component of the area in its init state. */
/* A guest permitted AMX starts with XCR0 = x87 and no tile state in its area: TILERELEASE
 * must still put the tiles in init state, with AMX in XCR0 and XFD clear (SDM vol. 2B). */
TEST(xstate_guest_start_releases_amx_tiles)
{
	static uint8_t mem[4 << 20], ports[8192];
	struct vcpu *v = spr_guest(true, mem, ports);
	REQUIRE(v->xs.has_area);
	CHECK_EQ(v->xs.area.mask & XFEATURE_AMX, 0);
	fake_xcr0 = 0x3;
	fake_msr[0] = 1ull << 18;
	fake_tilerelease_calls = 0;
	xstate_guest_start(v);
	CHECK_EQ(fake_tilerelease_calls, 1);
	CHECK_EQ(fake_tilerelease_xcr0 & XFEATURE_AMX, XFEATURE_AMX);
	CHECK_EQ(fake_tilerelease_xfd, 0);
	CHECK_EQ(fake_xcr0, XFEATURE_X87);
	done(v);
	v = spr_guest(false, mem, ports);
	fake_tilerelease_calls = 0;
	xstate_guest_start(v);
	CHECK_EQ(fake_tilerelease_calls, 0); /* not permitted: XCR0 may not name AMX */
	done(v);
}

TEST(xstate_guest_start_puts_every_component_in_init_state)
{
	static uint8_t mem[4 << 20], ports[8192];
	struct vcpu *v = spr_guest(false, mem, ports);
	REQUIRE(v->xs.has_area);
	const uint64_t mask = v->xs.area.mask;
	CHECK_EQ(mask, 0x2e7); /* x87 SSE AVX, AVX-512 (5-7), PKRU */
	fake_xcr0 = 0x3;
	fake_msr[0] = 1ull << 18;
	fake_xrstor_calls = 0;
	fake_xrstor_rfbm = fake_xrstor_init = 0;
	xstate_guest_start(v);
	CHECK_EQ(fake_xrstor_calls, 1);
	CHECK_EQ(fake_xrstor_rfbm, mask);
	CHECK_EQ(fake_xrstor_init, mask);
	CHECK_EQ(fake_xrstor_xfd, 0);
	CHECK_EQ(fake_xcr0, XFEATURE_X87);
	CHECK_EQ(v->xcr0, XFEATURE_X87);
	done(v);
}
