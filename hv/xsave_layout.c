/*
 * XSAVE area geometry from CPUID leaf 0xD (Intel SDM vol. 1 13.2, 13.4).
 *
 * Sizes are computed from the per-component sub-leaves rather than read from
 * CPUID.(0xD,0).EBX / (0xD,1).EBX: those two report the size for whatever
 * XCR0 / XCR0|IA32_XSS is loaded when CPUID executes, which at boot is not
 * the set a guest will be permitted.
 */
#include "hv/lib.h"
#include "hv/xcr0_policy.h"
#include "hv/xsave_layout.h"

#define CPUID_D1_EAX_XSAVEOPT BIT(0)
#define CPUID_D1_EAX_XSAVEC BIT(1)
#define CPUID_D1_EAX_XSAVES BIT(3)
#define CPUID_D1_EAX_XFD BIT(4)
/* Components 0..62 only: bit 63 of XCR0/IA32_XSS is reserved, of XCOMP_BV the format bit. */
#define COMPONENT_BITS (BIT(63) - 1)

static bool has(uint64_t mask, unsigned i)
{
	return (mask >> i) & 1;
}

int xsave_layout_init(struct xsave_layout *l, cpuid_source_fn cpuid)
{
	memset(l, 0, sizeof(*l));
	/* Leaf 0xD exists only when the maximum basic leaf reaches it and CPUID.1:ECX.XSAVE
	 * is set (13.2); past the maximum, Intel CPUs return the highest leaf's data. */
	if (cpuid(0, 0).eax < 0xd || !(cpuid(1, 0).ecx & CPUID_1_ECX_XSAVE))
		return -1;
	struct cpuid_value d0 = cpuid(0xd, 0), d1 = cpuid(0xd, 1);
	l->user_mask = (((uint64_t)d0.edx << 32) | d0.eax) & COMPONENT_BITS;
	l->sup_mask = (((uint64_t)d1.edx << 32) | d1.ecx) & COMPONENT_BITS;
	l->max_std_size = d0.ecx;
	l->xsaveopt = d1.eax & CPUID_D1_EAX_XSAVEOPT;
	l->xsavec = d1.eax & CPUID_D1_EAX_XSAVEC;
	l->xsaves = d1.eax & CPUID_D1_EAX_XSAVES;
	l->xfd = d1.eax & CPUID_D1_EAX_XFD;
	/* x87 is always an XCR0 component (13.3); a component is either user or supervisor. */
	if (!(l->user_mask & XFEATURE_X87) || (l->user_mask & l->sup_mask))
		return -1;
	if (l->sup_mask & (XFEATURE_X87 | XFEATURE_SSE))
		return -1;
	if (l->max_std_size < XSAVE_EXT_OFFSET)
		return -1;

	/* Components 0 and 1 live in the legacy region; 2..62 are described by (0xD, i). */
	for (unsigned i = 2; i < XSAVE_NCOMP; i++) {
		if (!has(xsave_supported(l), i))
			continue;
		struct cpuid_value c = cpuid(0xd, i);
		if (!c.eax && !c.ebx && !c.ecx && !c.edx) {
			/* Listed in (0xD,0)/(0xD,1) but not described (Bochs 2.7 tigerlake: PKRU):
			 * nothing can be saved or sized for it, so it is not a component here, as
			 * the guest's CPUID view drops it too (hv/cpuid_policy.c). */
			l->user_mask &= ~BIT(i);
			l->sup_mask &= ~BIT(i);
			continue;
		}
		struct xsave_component *x = &l->comp[i];
		x->size = c.eax;
		x->offset = c.ebx;
		x->supervisor = c.ecx & BIT(0);
		x->align64 = c.ecx & BIT(1);
		x->xfd = l->xfd && (c.ecx & BIT(2));
		if (x->size == 0 || x->supervisor != has(l->sup_mask, i))
			return -1;
		/* A user component must sit in the extended region and inside the maximum
		 * standard-format size the CPU reports for all its XCR0 bits (0xD,0).ECX. */
		if (!x->supervisor &&
		    (x->offset < XSAVE_EXT_OFFSET || (uint64_t)x->offset + x->size > l->max_std_size))
			return -1;
		if (x->xfd)
			l->xfd_mask |= BIT(i);
	}
	l->valid = true;
	return 0;
}

uint32_t xsave_std_size(const struct xsave_layout *l, uint64_t mask)
{
	uint32_t size = XSAVE_EXT_OFFSET;
	mask &= l->user_mask; /* XSAVE/XRSTOR never touch supervisor components (13.7, 13.8) */
	for (unsigned i = 2; i < XSAVE_NCOMP; i++)
		if (has(mask, i))
			size = MAX(size, l->comp[i].offset + l->comp[i].size);
	return size;
}

/* Walk the compacted layout (13.4.3): component i follows the last component
 * h < i present in mask, rounded up to 64 when CPUID.(0xD,i).ECX[1] = 1; the
 * first one starts at 576. Returns the offset of stop, or the end when stop is
 * not reached. */
static uint32_t compacted_walk(const struct xsave_layout *l, uint64_t mask, unsigned stop)
{
	uint32_t off = XSAVE_EXT_OFFSET;
	mask &= xsave_supported(l);
	for (unsigned i = 2; i < XSAVE_NCOMP; i++) {
		if (!has(mask, i))
			continue;
		if (l->comp[i].align64)
			off = ALIGN_UP(off, XSAVE_ALIGN);
		if (i == stop)
			return off;
		off += l->comp[i].size;
	}
	return off;
}

uint32_t xsave_compacted_size(const struct xsave_layout *l, uint64_t mask)
{
	return compacted_walk(l, mask, XSAVE_NCOMP);
}

uint32_t xsave_compacted_offset(const struct xsave_layout *l, uint64_t mask, unsigned i)
{
	if (i < 2 || i >= XSAVE_NCOMP || !has(mask & xsave_supported(l), i))
		return 0;
	return compacted_walk(l, mask, i);
}

uint32_t xsave_size(const struct xsave_layout *l, bool compacted, uint64_t mask)
{
	return compacted ? xsave_compacted_size(l, mask) : xsave_std_size(l, mask);
}

uint32_t xsave_offset(const struct xsave_layout *l, bool compacted, uint64_t mask, unsigned i)
{
	if (compacted)
		return xsave_compacted_offset(l, mask, i);
	if (i < 2 || i >= XSAVE_NCOMP || !has(l->user_mask, i))
		return 0;
	return l->comp[i].offset;
}
