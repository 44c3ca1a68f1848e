/*
 * The virtual local APIC's MSRs: IA32_APIC_BASE and its state transitions (Intel SDM
 * vol. 3A 11.4.4, 11.12.5; AMD APM vol. 2 16.3.1), IA32_TSC_DEADLINE (SDM 11.5.4.1) and the
 * x2APIC registers 0x800-0x8FF (SDM 11.12.1, table 11-6).
 */
#include "hv/vlapic_regs.h"

#define MSR_APIC_BASE_INDEX 0x1b
#define MSR_TSC_DEADLINE_INDEX 0x6e0
#define MSR_X2APIC_FIRST 0x800
#define MSR_X2APIC_LAST 0x8ff
/* Reserved bits of IA32_APIC_BASE: 7:0, 9, 63:52. Base bits beyond the guest's MAXPHYADDR
 * are refused as a move of the base, which #GPs as well. */
#define APIC_BASE_RESERVED (0xffull | BIT(9) | 0xfff0000000000000ull)

/* The x2APIC registers (SDM table 11-6) and how they may be accessed. */
enum x2_access { X2_NONE, X2_RO, X2_RW, X2_WO };

static enum x2_access x2apic_access(uint32_t off)
{
	if (off >= APIC_ISR && off < APIC_ESR)
		return X2_RO; /* ISR, TMR, IRR */
	switch (off) {
	case APIC_ID: case APIC_LVR: case APIC_PPR: case APIC_LDR: case APIC_TIMER_CCR:
		return X2_RO;
	case APIC_TPR: case APIC_SVR: case APIC_ESR: case APIC_LVT_CMCI: case APIC_ICR_LO:
	case APIC_LVT_TIMER: case APIC_LVT_THERMAL: case APIC_LVT_PERFMON: case APIC_LVT_LINT0:
	case APIC_LVT_LINT1: case APIC_LVT_ERROR: case APIC_TIMER_ICR: case APIC_TIMER_DCR:
		return X2_RW;
	case APIC_EOI: case APIC_SELF_IPI:
		return X2_WO;
	default:
		/* APR, RRD, DFR and ICR high have no x2APIC MSR (SDM 11.12.1.2). */
		return X2_NONE;
	}
}

static int x2apic_read(struct vlapic *a, uint32_t off, uint64_t *val, uint64_t now)
{
	enum x2_access acc = x2apic_access(off);
	if (acc == X2_NONE || acc == X2_WO)
		return -1;
	if (off == APIC_ICR_LO) {
		*val = ((uint64_t)a->icr_hi << 32) | a->icr_lo;
		return 0;
	}
	*val = vlapic_reg_read(a, off, now);
	return 0;
}

/* SDM 11.12.1.3: in x2APIC mode a WRMSR that sets reserved bits raises #GP: bits 63:32 of
 * every register but the ICR, the ICR's reserved bits 31:20, 17:16 and 13 (delivery
 * status, reserved in x2APIC mode: 12 is ignored as on Intel parts), a non-zero EOI or ESR
 * write, SELF IPI bits 31:8. */
static int x2apic_write(struct vlapic *a, uint32_t off, uint64_t val, uint64_t now)
{
	enum x2_access acc = x2apic_access(off);
	if (acc == X2_NONE || acc == X2_RO)
		return -1;
	if (off == APIC_ICR_LO) {
		if (val & 0xfff32000ull)
			return -1;
		a->icr_lo = (uint32_t)val & ICR_LO_WRITABLE;
		a->icr_hi = (uint32_t)(val >> 32);
		vlapic_send_ipi(a, a->icr_lo, a->icr_hi);
		return 0;
	}
	if (val >> 32)
		return -1;
	switch (off) {
	case APIC_EOI:
	case APIC_ESR:
		if (val)
			return -1;
		break;
	case APIC_SELF_IPI:
		/* SDM 11.12.11: a fixed, edge-triggered self IPI of vector 7:0. */
		if (val & ~0xffull)
			return -1;
		vlapic_send_ipi(a, (uint32_t)val | (SH_SELF << ICR_SHORTHAND_SHIFT), a->id);
		return 0;
	default:
		break;
	}
	vlapic_reg_write(a, off, (uint32_t)val, now);
	return 0;
}

bool vlapic_base_move_refused(const struct vlapic *a, uint64_t val)
{
	return !(val & APIC_BASE_RESERVED) && ((val ^ a->apic_base) & APIC_BASE_ADDR_MASK);
}

/* IA32_APIC_BASE writes (SDM 11.12.5, figure 11-29): the states are disabled (EN=0, EXTD=0),
 * xAPIC (1, 0) and x2APIC (1, 1); (0, 1) is invalid. Allowed: xAPIC -> x2APIC, either
 * enabled mode -> disabled, disabled -> xAPIC. #GP: x2APIC -> xAPIC (only through disabled),
 * disabled -> x2APIC, anything -> invalid, EXTD without x2APIC in CPUID, reserved bits, a
 * new base (not emulated: refused). The BSP flag is read-only: its written value is ignored. */
static int apic_base_write(struct vlapic *a, uint64_t val)
{
	if ((val & APIC_BASE_RESERVED) || vlapic_base_move_refused(a, val))
		return -1;
	bool en = val & APIC_BASE_EN, extd = val & APIC_BASE_EXTD;
	bool was_en = vlapic_enabled(a), was_x2 = vlapic_x2apic(a);
	if (extd && (!en || !a->x2apic_allowed))
		return -1;
	if (en && extd && !was_en)
		return -1; /* disabled -> x2APIC */
	if (en && !extd && was_x2)
		return -1; /* x2APIC -> xAPIC */
	uint64_t keep = a->apic_base & (APIC_BASE_ADDR_MASK | APIC_BASE_BSP);
	a->apic_base = keep | (en ? APIC_BASE_EN : 0) | (extd ? APIC_BASE_EXTD : 0);
	if (!en && was_en) {
		/* Global disable (SDM 11.4.3): the APIC is gone; when software enables it again
		 * it starts from its power-up state (SDM 11.12.5.1), so reset it now. */
		vlapic_reset_regs(a);
	} else if (extd && !was_x2) {
		/* xAPIC -> x2APIC (SDM 11.12.5.1): the state carries over, but the ID becomes
		 * the x2APIC ID and the LDR the logical x2APIC ID derived from it; the DFR goes. */
		a->ldr = vlapic_x2apic_ldr(a->id);
		a->icr_hi = 0;
	}
	return 0;
}

int vlapic_msr_read(struct vlapic *a, uint32_t msr, uint64_t *val, uint64_t now)
{
	*val = 0;
	vlapic_timer_poll(a, now);
	if (msr == MSR_APIC_BASE_INDEX) {
		*val = a->apic_base;
		return 0;
	}
	if (msr == MSR_TSC_DEADLINE_INDEX) {
		/* SDM 11.5.4.1: reads 0 outside TSC-deadline mode. */
		if (vlapic_enabled(a) && vlapic_timer_mode(a) == TIMER_TSC_DEADLINE)
			*val = a->tsc_deadline;
		return 0;
	}
	if (msr < MSR_X2APIC_FIRST || msr > MSR_X2APIC_LAST || !vlapic_x2apic(a))
		return -1; /* SDM 11.12.1.2: x2APIC MSRs #GP outside x2APIC mode */
	return x2apic_read(a, (msr - MSR_X2APIC_FIRST) << 4, val, now);
}

int vlapic_msr_write(struct vlapic *a, uint32_t msr, uint64_t val, uint64_t now)
{
	vlapic_timer_poll(a, now);
	int rc = 0;
	if (msr == MSR_APIC_BASE_INDEX) {
		rc = apic_base_write(a, val);
	} else if (msr == MSR_TSC_DEADLINE_INDEX) {
		/* SDM 11.5.4.1: arms the timer in TSC-deadline mode (0 disarms; a past deadline
		 * fires at once); ignored in the other modes. */
		if (vlapic_enabled(a) && vlapic_timer_mode(a) == TIMER_TSC_DEADLINE)
			a->tsc_deadline = val;
	} else if (msr < MSR_X2APIC_FIRST || msr > MSR_X2APIC_LAST || !vlapic_x2apic(a)) {
		return -1;
	} else {
		rc = x2apic_write(a, (msr - MSR_X2APIC_FIRST) << 4, val, now);
	}
	vlapic_timer_poll(a, now);
	return rc;
}
