/* The XFD hardware model (see xfd_model.h). */
#include <string.h>
#include "arch/x86/msr_index.h"
#include "hv/xcr0_policy.h"
#include "tests/host/xfd_model.h"

#define COMPONENT_BITS (BIT(63) - 1)

struct cpuid_value xm_cpuid_lookup(const struct fake_cpuid_entry *t, size_t n, uint32_t leaf,
				   uint32_t subleaf)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].leaf == leaf && t[i].subleaf == subleaf)
			return t[i].v;
	return (struct cpuid_value){ 0, 0, 0, 0 };
}

/* (0xD,0).EBX / (0xD,1).EBX hold the sizes for XCR0 = 0x2e7 without AMX (2696 / 2440):
 * correct CPUID output at boot, and wrong answers if anything used them as sizes. */
#define SPR_TABLE(tilecfg_ecx)                                                           \
	{ 0, 0, { 0x20, 0x756e6547, 0x6c65746e, 0x49656e69 } },                          \
	{ 1, 0, { 0x806f8, 0, CPUID_1_ECX_XSAVE | CPUID_1_ECX_OSXSAVE, 0 } },            \
	{ 0xd, 0, { 0x602e7, 2696, 11008, 0 } },                                         \
	{ 0xd, 1, { 0x1f, 2440, BIT(8), 0 } },                                           \
	{ 0xd, 2, { 256, 576, 0, 0 } },                                                  \
	{ 0xd, 5, { 64, 1088, 0, 0 } },                                                  \
	{ 0xd, 6, { 512, 1152, 0, 0 } },                                                 \
	{ 0xd, 7, { 1024, 1664, 0, 0 } },                                                \
	{ 0xd, 8, { 128, 0, 1, 0 } },                                                    \
	{ 0xd, 9, { 8, 2688, 0, 0 } },                                                   \
	{ 0xd, 17, { 64, 2752, tilecfg_ecx, 0 } },                                       \
	{ 0xd, 18, { 8192, 2816, 6, 0 } }

static const struct fake_cpuid_entry spr[] = { SPR_TABLE(2) };
static const struct fake_cpuid_entry spr_xfd2[] = { SPR_TABLE(6) };

struct cpuid_value xm_cpuid_spr(uint32_t leaf, uint32_t subleaf)
{
	return xm_cpuid_lookup(spr, ARRAY_SIZE(spr), leaf, subleaf);
}

struct cpuid_value xm_cpuid_spr_xfd2(uint32_t leaf, uint32_t subleaf)
{
	return xm_cpuid_lookup(spr_xfd2, ARRAY_SIZE(spr_xfd2), leaf, subleaf);
}

void xm_init(struct xfd_model *m, const struct xsave_layout *l, uint64_t xcr0, enum xm_err_rule r)
{
	memset(m, 0, sizeof(*m));
	m->xcr0 = xcr0;
	m->has_xfd = l->xfd;
	m->xfd_capable = l->xfd_mask;
	m->err_rule = r;
}

/* #NM caused by XFD for the components in `disabled` (13.14). */
static enum xm_fault xfd_nm(struct xfd_model *m, uint64_t disabled)
{
	if (m->err_rule == XM_ERR_LOAD)
		m->xfd_err = disabled;
	else
		m->xfd_err |= disabled;
	if (!m->guest_mode) {
		m->host_nm++;
		m->host_nm_xfd_err = m->xfd_err;
		return XM_NM_HOST;
	}
	if (m->nm_intercept) {
		m->guest_mode = false; /* VM exit with the exception's information */
		return XM_NM_EXIT;
	}
	m->guest_nm++;
	return XM_NM_GUEST;
}

enum xm_fault xm_use(struct xfd_model *m, uint64_t need, uint64_t val)
{
	if (need & ~m->xcr0)
		return XM_UD;
	uint64_t disabled = need & m->xfd;
	if (disabled)
		return xfd_nm(m, disabled);
	for (unsigned i = 0; i < 64; i++) {
		if (need & BIT(i)) {
			m->value[i] = val;
			m->xinuse |= BIT(i);
		}
	}
	return XM_NONE;
}

enum xm_fault xm_wrmsr(struct xfd_model *m, uint32_t msr, uint64_t val)
{
	/* The MSRs exist only with XFD; a bit may be 1 only if ECX[2] says so. */
	if ((msr != MSR_XFD && msr != MSR_XFD_ERR) || !m->has_xfd || (val & ~m->xfd_capable))
		return XM_GP;
	if (msr == MSR_XFD)
		m->xfd = val; /* does not touch the components' contents or XINUSE */
	else
		m->xfd_err = val;
	return XM_NONE;
}

uint64_t xm_rdmsr(const struct xfd_model *m, uint32_t msr)
{
	return msr == MSR_XFD ? m->xfd : msr == MSR_XFD_ERR ? m->xfd_err : 0;
}

/* Where component i's 8 stand-in bytes live: ST0 / XMM0 for x87 / SSE. */
static uint32_t slot(const struct xsave_layout *l, bool compacted, uint64_t xcomp, unsigned i)
{
	if (i == 0)
		return 32;
	if (i == 1)
		return 160;
	return xsave_offset(l, compacted, xcomp, i);
}

enum xm_fault xm_xsave(struct xfd_model *m, const struct xsave_layout *l, void *buf,
		       bool compacted, uint64_t rfbm)
{
	uint8_t *b = buf;
	struct xsave_header *h = (struct xsave_header *)(b + XSAVE_LEGACY_SIZE);
	if ((uintptr_t)buf % XSAVE_ALIGN)
		return XM_GP;
	rfbm &= m->xcr0;
	/* 13.14: with XCR0[i] = XFD[i] = 1, no #NM; the instruction acts as if XINUSE[i] = 0. */
	uint64_t inuse = m->xinuse & ~m->xfd;
	for (unsigned i = 0; i < XSAVE_NCOMP; i++) {
		if (!(rfbm & BIT(i)))
			continue;
		uint32_t off = slot(l, compacted, rfbm, i);
		if (!off)
			continue; /* not a component this CPU has */
		if (inuse & BIT(i))
			memcpy(b + off, &m->value[i], 8);
		else if (!compacted)
			memset(b + off, 0, 8); /* XSAVE writes the init configuration (13.7) */
		/* XSAVEC saves component i only if RFBM[i] = XINUSE[i] = 1 (13.10). */
	}
	if (compacted) {
		h->xstate_bv = rfbm & inuse;
		h->xcomp_bv = XCOMP_BV_COMPACTED | rfbm;
	} else {
		h->xstate_bv = (h->xstate_bv & ~rfbm) | (rfbm & inuse);
	}
	return XM_NONE;
}

enum xm_fault xm_xrstor(struct xfd_model *m, const struct xsave_layout *l, const void *buf,
			uint64_t rfbm)
{
	const uint8_t *b = buf;
	const struct xsave_header *h = (const struct xsave_header *)(b + XSAVE_LEGACY_SIZE);
	bool compacted = h->xcomp_bv & XCOMP_BV_COMPACTED;
	uint64_t xcomp = h->xcomp_bv & COMPONENT_BITS;
	if ((uintptr_t)buf % XSAVE_ALIGN)
		return XM_GP;
	for (unsigned i = 0; i < 6; i++)
		if (h->reserved[i])
			return XM_GP;
	/* 13.8.1 / 13.8.2: XSTATE_BV within XCR0 (standard) or within XCOMP_BV, itself
	 * within XCR0 (compacted); standard form needs XCOMP_BV = 0. */
	if (h->xstate_bv & BIT(63))
		return XM_GP;
	if (compacted ? (xcomp & ~m->xcr0) || (h->xstate_bv & ~xcomp)
		      : h->xcomp_bv || (h->xstate_bv & ~m->xcr0))
		return XM_GP;
	rfbm &= m->xcr0;
	/* 13.14: loading (RFBM[i] = XSTATE_BV[i] = 1) a component with XFD[i] = 1 #NMs;
	 * initializing it (XSTATE_BV[i] = 0) does not. Nothing is restored then. */
	uint64_t armed = rfbm & h->xstate_bv & m->xfd;
	if (armed)
		return xfd_nm(m, armed);
	for (unsigned i = 0; i < XSAVE_NCOMP; i++) {
		if (!(rfbm & BIT(i)))
			continue;
		uint32_t off = slot(l, compacted, xcomp, i);
		if ((h->xstate_bv & BIT(i)) && off) {
			memcpy(&m->value[i], b + off, 8);
			m->xinuse |= BIT(i);
		} else {
			m->value[i] = 0;
			m->xinuse &= ~BIT(i);
		}
	}
	return XM_NONE;
}

/* ---- the hypervisor's side: struct xfd_ops ------------------------------- */

static uint64_t op_rdmsr(void *ctx, uint32_t msr)
{
	struct xfd_model *m = ctx;
	m->rdmsr_calls++;
	if (m->guest_mode || !m->has_xfd || (msr != MSR_XFD && msr != MSR_XFD_ERR))
		m->bad_calls++;
	return xm_rdmsr(m, msr);
}

static void op_wrmsr(void *ctx, uint32_t msr, uint64_t val)
{
	struct xfd_model *m = ctx;
	m->wrmsr_calls++;
	m->wrmsr_xfd += msr == MSR_XFD;
	m->wrmsr_xfd_err += msr == MSR_XFD_ERR;
	if (m->guest_mode || xm_wrmsr(m, msr, val) != XM_NONE)
		m->bad_calls++;
}

static void op_xfd_write_intercept(void *ctx, bool on)
{
	struct xfd_model *m = ctx;
	m->intercept_calls++;
	m->xfd_write_intercept = on;
}

static void op_nm_intercept(void *ctx, bool on)
{
	struct xfd_model *m = ctx;
	m->intercept_calls++;
	m->nm_intercept = on;
}

const struct xfd_ops xm_ops = {
	.rdmsr = op_rdmsr,
	.wrmsr = op_wrmsr,
	.set_xfd_write_intercept = op_xfd_write_intercept,
	.set_nm_intercept = op_nm_intercept,
};
