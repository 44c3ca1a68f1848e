/*
 * The virtual local APIC (hv/vlapic.h): reset state, the registers both modes share,
 * priorities, EOI, ESR and the xAPIC MMIO page. Intel SDM vol. 3A ch. 11, AMD APM
 * vol. 2 ch. 16.
 */
#include "hv/lib.h"
#include "hv/vlapic_regs.h"

/* Writable bits of each LVT entry (SDM 11.5.1, figure 11-8): vector 7:0, delivery mode
 * 10:8 where the entry has one, pin polarity 13 and trigger mode 15 (LINT0/1), mask 16,
 * timer mode 18:17. Delivery status (12) and remote IRR (14) are read-only. */
static const uint32_t lvt_writable[LVT_COUNT] = {
	[LVT_CMCI] = 0x107ff,    [LVT_TIMER] = 0x700ff, [LVT_THERMAL] = 0x107ff,
	[LVT_PERFMON] = 0x107ff, [LVT_LINT0] = 0x1a7ff, [LVT_LINT1] = 0x1a7ff,
	[LVT_ERROR] = 0x100ff,
};

int vlapic_highest(const uint32_t *bits)
{
	for (int w = 7; w >= 0; w--)
		if (bits[w])
			return w * 32 + 31 - __builtin_clz(bits[w]);
	return -1;
}

uint32_t vlapic_x2apic_ldr(uint32_t id)
{
	return ((id >> 4) << 16) | (1u << (id & 0xf));
}

void vlapic_reset_regs(struct vlapic *a)
{
	/* SDM 11.4.7.1: IRR, ISR, TMR, ICR, LDR, TPR, timer initial count and divide
	 * configuration cleared; DFR all ones; LVT entries masked; SVR 0xFF (software
	 * disabled). x2APIC mode derives the LDR from the ID (SDM 11.12.10.2). */
	a->tpr = 0;
	a->ldr = vlapic_x2apic(a) ? vlapic_x2apic_ldr(a->id) : 0;
	a->dfr = 0xffffffffu;
	a->svr = 0xff;
	a->esr = a->esr_pending = 0;
	a->icr_lo = a->icr_hi = 0;
	for (unsigned i = 0; i < LVT_COUNT; i++)
		a->lvt[i] = LVT_MASKED;
	memset(a->isr, 0, sizeof(a->isr));
	memset(a->irr, 0, sizeof(a->irr));
	memset(a->tmr, 0, sizeof(a->tmr));
	a->timer_icr = a->timer_dcr = a->timer_count0 = 0;
	a->timer_armed = false;
	a->timer_start = 0;
	a->tsc_deadline = 0;
	a->nmi_pending = false;
}

void vlapic_init(struct vlapic *a, uint32_t apic_id, uint64_t tsc_khz, uint64_t bus_khz)
{
	memset(a, 0, sizeof(*a));
	a->id = apic_id;
	/* Never divide by zero, even for a host that failed to calibrate. */
	a->tsc_khz = tsc_khz ? tsc_khz : 1;
	a->bus_khz = bus_khz ? bus_khz : a->tsc_khz;
	a->apic_base = VLAPIC_DEFAULT_BASE | APIC_BASE_EN | APIC_BASE_BSP;
	vlapic_reset_regs(a);
}

/* PPR (SDM 11.8.3.1): TPR when its class is at least that of the highest in-service
 * vector, else that vector's class. */
uint32_t vlapic_ppr(const struct vlapic *a)
{
	int isrv = vlapic_highest(a->isr);
	uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & 0xf0;
	return (a->tpr & 0xf0) >= isr_class ? a->tpr & 0xff : isr_class;
}

/* APR (0x090, xAPIC only; the P6-family arbitration priority, SDM vol. 3A table 11-1):
 * TPR when its class is at least those of the highest requested and in-service vectors,
 * else the higher of those classes. Only lowest-priority arbitration used it. */
static uint32_t vlapic_apr(const struct vlapic *a)
{
	int irrv = vlapic_highest(a->irr), isrv = vlapic_highest(a->isr);
	uint32_t irr_class = irrv < 0 ? 0 : (uint32_t)irrv & 0xf0;
	uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & 0xf0;
	uint32_t tpr_class = a->tpr & 0xf0;
	if (tpr_class >= irr_class && tpr_class >= isr_class)
		return a->tpr & 0xff;
	return irr_class > isr_class ? irr_class : isr_class;
}

void vlapic_error(struct vlapic *a, uint32_t esr_bit)
{
	/* SDM 11.5.3: the error is logged in the ESR and signalled through the LVT error
	 * entry. Signalled once per newly set bit, so an LVT error entry with an illegal
	 * vector cannot recurse. */
	if (a->esr_pending & esr_bit)
		return;
	a->esr_pending |= esr_bit;
	vlapic_lvt_fire(a, LVT_ERROR);
}

void vlapic_accept_fixed(struct vlapic *a, uint8_t vector, bool level)
{
	/* A software-disabled APIC does not accept fixed interrupts (SDM 11.4.7.2: only NMI,
	 * SMI, INIT and SIPI are responded to); vectors 0-15 are illegal (SDM 11.5.3). */
	if (!vlapic_enabled(a) || !vlapic_sw_enabled(a))
		return;
	if (vector < 16) {
		vlapic_error(a, ESR_RECV_ILLEGAL_VECTOR);
		return;
	}
	vec_set(a->irr, vector);
	/* SDM 11.8.4: TMR set for level-triggered, cleared for edge-triggered interrupts. */
	if (level)
		vec_set(a->tmr, vector);
	else
		vec_clear(a->tmr, vector);
}

void vlapic_lvt_fire(struct vlapic *a, enum vlapic_lvt lvt)
{
	uint32_t e = a->lvt[lvt];
	if (e & LVT_MASKED)
		return;
	vlapic_accept_fixed(a, e & 0xff, false);
}

static void vlapic_eoi(struct vlapic *a)
{
	/* SDM 11.8.5: EOI clears the highest-priority ISR bit; with none in service it is
	 * ignored. A set TMR bit sends an EOI message to the I/O APICs (level_eoi). */
	int v = vlapic_highest(a->isr);
	if (v < 0)
		return;
	vec_clear(a->isr, (unsigned)v);
	if (vec_test(a->tmr, (unsigned)v) && a->level_eoi)
		a->level_eoi(a->level_eoi_ctx, (uint8_t)v);
}

static void vlapic_write_svr(struct vlapic *a, uint32_t val)
{
	/* SDM 11.9, figure 11-23: vector 7:0 (all bits writable since the Pentium 4), APIC
	 * software enable 8, focus processor checking 9; bit 12 (EOI-broadcast suppression) is
	 * reserved because the version register does not offer it. SDM 11.4.7.2: disabling
	 * sets every LVT mask bit. */
	a->svr = val & (SVR_VECTOR | SVR_ENABLE | SVR_FOCUS);
	if (!vlapic_sw_enabled(a))
		for (unsigned i = 0; i < LVT_COUNT; i++)
			a->lvt[i] |= LVT_MASKED;
}

static int lvt_index(uint32_t off)
{
	switch (off) {
	case APIC_LVT_CMCI:
		return LVT_CMCI;
	case APIC_LVT_TIMER:
	case APIC_LVT_THERMAL:
	case APIC_LVT_PERFMON:
	case APIC_LVT_LINT0:
	case APIC_LVT_LINT1:
	case APIC_LVT_ERROR:
		return LVT_TIMER + (int)((off - APIC_LVT_TIMER) >> 4);
	default:
		return -1;
	}
}

static void vlapic_write_lvt(struct vlapic *a, enum vlapic_lvt i, uint32_t val, uint64_t now)
{
	/* SDM 11.4.7.2: while software-disabled the mask bits stay set. */
	if (!vlapic_sw_enabled(a))
		val |= LVT_MASKED;
	if (i == LVT_TIMER)
		vlapic_timer_write_lvt(a, val, now);
	else
		a->lvt[i] = (a->lvt[i] & ~lvt_writable[i]) | (val & lvt_writable[i]);
}

uint32_t vlapic_reg_read(struct vlapic *a, uint32_t off, uint64_t now)
{
	int lvt = lvt_index(off);
	if (lvt >= 0)
		return a->lvt[lvt];
	if (off >= APIC_ISR && off < APIC_ISR + 0x80)
		return a->isr[(off - APIC_ISR) >> 4];
	if (off >= APIC_TMR && off < APIC_TMR + 0x80)
		return a->tmr[(off - APIC_TMR) >> 4];
	if (off >= APIC_IRR && off < APIC_IRR + 0x80)
		return a->irr[(off - APIC_IRR) >> 4];
	switch (off) {
	case APIC_ID:
		return vlapic_x2apic(a) ? a->id : a->id << 24;
	case APIC_LVR:
		return VLAPIC_VERSION;
	case APIC_TPR:
		return a->tpr;
	case APIC_APR:
		return vlapic_apr(a);
	case APIC_PPR:
		return vlapic_ppr(a);
	case APIC_LDR:
		return a->ldr;
	case APIC_DFR:
		return a->dfr;
	case APIC_SVR:
		return a->svr;
	case APIC_ESR:
		return a->esr;
	case APIC_ICR_LO:
		return a->icr_lo; /* delivery status (bit 12) always 0: sent at once */
	case APIC_ICR_HI:
		return a->icr_hi;
	case APIC_TIMER_ICR:
		return a->timer_icr;
	case APIC_TIMER_CCR:
		return vlapic_timer_ccr(a, now);
	case APIC_TIMER_DCR:
		return a->timer_dcr;
	default:
		return 0; /* EOI, RRD (write-only or unused): read as 0 */
	}
}

void vlapic_reg_write(struct vlapic *a, uint32_t off, uint32_t val, uint64_t now)
{
	int lvt = lvt_index(off);
	if (lvt >= 0) {
		vlapic_write_lvt(a, (enum vlapic_lvt)lvt, val, now);
		return;
	}
	switch (off) {
	case APIC_TPR:
		a->tpr = val & 0xff; /* SDM 11.8.3, figure 11-18: bits 31:8 reserved */
		break;
	case APIC_EOI:
		vlapic_eoi(a);
		break;
	case APIC_SVR:
		vlapic_write_svr(a, val);
		break;
	case APIC_ESR:
		/* SDM 11.5.3: a write (any value) latches the errors found since the last write. */
		a->esr = a->esr_pending;
		a->esr_pending = 0;
		break;
	case APIC_TIMER_ICR:
		vlapic_timer_write_icr(a, val, now);
		break;
	case APIC_TIMER_DCR:
		vlapic_timer_write_dcr(a, val, now);
		break;
	default:
		break;
	}
}

/* The xAPIC page (SDM 11.4.1, table 11-1). Registers sit at 16-byte aligned offsets and are
 * 32 bits wide; accesses of other widths or alignments are model-specific: a read returns
 * the register's bytes it covers (0 beyond bit 31), a write that is not an aligned 32-bit
 * (or wider) store is ignored. */
static bool xapic_reserved(uint32_t off)
{
	if (off >= APIC_ISR && off < APIC_ESR)
		return false;
	switch (off) {
	case APIC_ID: case APIC_LVR: case APIC_TPR: case APIC_APR: case APIC_PPR:
	case APIC_EOI: case APIC_RRD: case APIC_LDR: case APIC_DFR: case APIC_SVR:
	case APIC_ESR: case APIC_LVT_CMCI: case APIC_ICR_LO: case APIC_ICR_HI:
	case APIC_LVT_TIMER: case APIC_LVT_THERMAL: case APIC_LVT_PERFMON:
	case APIC_LVT_LINT0: case APIC_LVT_LINT1: case APIC_LVT_ERROR:
	case APIC_TIMER_ICR: case APIC_TIMER_CCR: case APIC_TIMER_DCR:
		return false;
	default:
		return true;
	}
}

bool vlapic_mmio_covers(const struct vlapic *a, uint64_t gpa)
{
	uint64_t base = a->apic_base & APIC_BASE_ADDR_MASK;
	return vlapic_enabled(a) && !vlapic_x2apic(a) && gpa >= base && gpa - base < VLAPIC_PAGE_SIZE;
}

void vlapic_mmio_read(struct vlapic *a, uint32_t offset, unsigned size, uint64_t *val, uint64_t now)
{
	uint32_t off = offset & 0xff0, byte = offset & 0xf;
	*val = 0;
	vlapic_timer_poll(a, now);
	if (xapic_reserved(off)) {
		/* SDM 11.5.3 bit 7: an access to a reserved register. */
		vlapic_error(a, ESR_ILLEGAL_REGISTER);
		return;
	}
	if (byte >= 4)
		return;
	uint64_t reg = vlapic_reg_read(a, off, now) >> (8 * byte);
	*val = size >= 8 ? reg : reg & ((1ull << (8 * size)) - 1);
}

void vlapic_mmio_write(struct vlapic *a, uint32_t offset, unsigned size, uint64_t val, uint64_t now)
{
	uint32_t off = offset & 0xff0;
	vlapic_timer_poll(a, now);
	if (xapic_reserved(off)) {
		vlapic_error(a, ESR_ILLEGAL_REGISTER);
		return;
	}
	if ((offset & 0xf) || size < 4)
		return;
	uint32_t v = (uint32_t)val;
	switch (off) {
	case APIC_ID:
		/* Software-writable on some processors only (SDM 11.4.6): read-only here, so
		 * the ID the guest reads is always the one CPUID reports. */
		break;
	case APIC_LDR:
		a->ldr = v & 0xff000000u; /* SDM 11.6.2.2, figure 11-13: logical ID 31:24 */
		break;
	case APIC_DFR:
		a->dfr = v | 0x0fffffffu; /* SDM 11.6.2.2, figure 11-14: model 31:28, rest ones */
		break;
	case APIC_ICR_LO:
		a->icr_lo = v & ICR_LO_WRITABLE;
		vlapic_send_ipi(a, a->icr_lo, a->icr_hi >> 24);
		break;
	case APIC_ICR_HI:
		a->icr_hi = v & 0xff000000u; /* destination 63:56 */
		break;
	default:
		vlapic_reg_write(a, off, v, now);
		break;
	}
	vlapic_timer_poll(a, now);
}

int vlapic_pending_vector(const struct vlapic *a)
{
	/* SDM 11.8.3.1: a requested vector is delivered when its priority class is above the
	 * processor priority class. */
	if (!vlapic_enabled(a) || !vlapic_sw_enabled(a))
		return -1;
	int v = vlapic_highest(a->irr);
	if (v < 0 || ((uint32_t)v & 0xf0) <= (vlapic_ppr(a) & 0xf0))
		return -1;
	return v;
}

void vlapic_accept(struct vlapic *a, uint8_t vector)
{
	/* SDM 11.8.4: the processor's acknowledgement moves the vector from IRR to ISR. */
	vec_clear(a->irr, vector);
	vec_set(a->isr, vector);
}

bool vlapic_take_nmi(struct vlapic *a)
{
	bool p = a->nmi_pending;
	a->nmi_pending = false;
	return p;
}
