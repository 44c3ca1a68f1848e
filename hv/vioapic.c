/* The guest's I/O APIC (see vioapic.h; Intel 82093AA datasheet, sections 3.0-3.2). */
#include "hv/lib.h"
#include "hv/vcpu.h"
#include "hv/vioapic.h"
#include "hv/vlapic.h"

#define IOREGSEL 0x00
#define IOWIN 0x10
#define REG_ID 0x00
#define REG_VER 0x01
#define REG_ARB 0x02
#define REG_RTE0 0x10
/* Writable bits of an entry: all but delivery status (12) and remote IRR (14), and the
 * reserved bits 55:17 (82093AA 3.2.4). */
#define RTE_WRITABLE (0xff00000000000000ull | 0x1afffull)
#define DM_FIXED 0
#define DM_LOWEST 1
#define DM_NMI 4

void vioapic_init(struct vioapic *io)
{
	memset(io, 0, sizeof(*io));
	io->id = (uint32_t)VIOAPIC_ID << 24;
	for (unsigned i = 0; i < VIOAPIC_PINS; i++)
		io->rte[i] = RTE_MASKED; /* reset: every entry masked (3.2.4) */
}

/* Send pin's message to the local APIC, when it is a destination. */
static void deliver(struct vioapic *io, struct vlapic *a, unsigned pin)
{
	uint64_t e = io->rte[pin];
	uint32_t dest = (uint32_t)(e >> RTE_DEST_SHIFT);
	if (!vlapic_is_destination(a, e & RTE_DEST_LOGICAL, dest))
		return;
	bool level = e & RTE_LEVEL;
	switch ((e >> RTE_DELMODE_SHIFT) & 7) {
	case DM_FIXED:
	case DM_LOWEST: /* one local APIC: it is the lowest-priority one */
		vlapic_accept_fixed(a, (uint8_t)(e & RTE_VECTOR), level);
		if (level)
			io->rte[pin] |= RTE_REMOTE_IRR; /* until the local APIC's EOI */
		io->delivered++;
		break;
	case DM_NMI:
		a->nmi_pending = true;
		io->delivered++;
		break;
	default: /* SMI, INIT, ExtINT: not delivered to a guest */
		break;
	}
}

/* A level pin: delivered while asserted, unmasked and not awaiting its EOI. */
static void level_check(struct vioapic *io, struct vlapic *a, unsigned pin)
{
	uint64_t e = io->rte[pin];
	if ((e & RTE_LEVEL) && !(e & (RTE_MASKED | RTE_REMOTE_IRR)) && (io->asserted & BIT(pin)))
		deliver(io, a, pin);
}

void vioapic_line(struct vioapic *io, struct vlapic *a, unsigned gsi, bool level)
{
	if (gsi >= VIOAPIC_PINS)
		return;
	bool was = io->asserted & BIT(gsi);
	/* The polarity bit is kept but not applied: level is whether the device requests an
	 * interrupt, however its wire is wired (as KVM's model does), so a guest that sets an
	 * ISA pin active low gets no interrupt storm from an idle device. */
	bool now = level;
	if (now)
		io->asserted |= BIT(gsi);
	else
		io->asserted &= ~BIT(gsi);
	uint64_t e = io->rte[gsi];
	if (e & RTE_LEVEL)
		level_check(io, a, gsi);
	else if (now && !was && !(e & RTE_MASKED))
		deliver(io, a, gsi); /* edge: the rising edge only; a masked edge is lost */
}

void vioapic_eoi(struct vioapic *io, struct vlapic *a, uint8_t vector)
{
	for (unsigned pin = 0; pin < VIOAPIC_PINS; pin++) {
		uint64_t e = io->rte[pin];
		if ((e & RTE_LEVEL) && (e & RTE_REMOTE_IRR) && (e & RTE_VECTOR) == vector) {
			io->rte[pin] &= ~RTE_REMOTE_IRR;
			level_check(io, a, pin);
		}
	}
}

bool vioapic_pin_open(const struct vioapic *io, unsigned gsi)
{
	return gsi < VIOAPIC_PINS && !(io->rte[gsi] & RTE_MASKED);
}

static uint32_t reg_read(const struct vioapic *io)
{
	uint32_t sel = io->regsel & 0xff;
	switch (sel) {
	case REG_ID:
		return io->id;
	case REG_VER: /* maximum redirection entry 23:16, version 7:0 */
		return ((uint32_t)(VIOAPIC_PINS - 1) << 16) | VIOAPIC_VERSION;
	case REG_ARB: /* arbitration ID = the APIC ID (3.2.3) */
		return io->id;
	default:
		if (sel >= REG_RTE0 && sel < REG_RTE0 + 2 * VIOAPIC_PINS) {
			uint64_t e = io->rte[(sel - REG_RTE0) / 2];
			return (sel & 1) ? (uint32_t)(e >> 32) : (uint32_t)e;
		}
		return 0;
	}
}

static void reg_write(struct vioapic *io, struct vlapic *a, uint32_t val)
{
	uint32_t sel = io->regsel & 0xff;
	if (sel == REG_ID) {
		io->id = val & 0x0f000000u; /* bits 27:24 */
		return;
	}
	if (sel < REG_RTE0 || sel >= REG_RTE0 + 2 * VIOAPIC_PINS)
		return; /* VER, ARB read-only; the rest does not exist */
	unsigned pin = (sel - REG_RTE0) / 2;
	uint64_t e = io->rte[pin];
	uint64_t w = (sel & 1) ? ((uint64_t)val << 32) | (uint32_t)e : (e & ~0xffffffffull) | val;
	io->rte[pin] = (w & RTE_WRITABLE) | (e & RTE_REMOTE_IRR);
	if (!(io->rte[pin] & RTE_LEVEL))
		io->rte[pin] &= ~RTE_REMOTE_IRR; /* remote IRR is undefined for edge: kept 0 */
	level_check(io, a, pin); /* an asserted level pin just unmasked */
}

uint64_t vioapic_mmio_read(struct vioapic *io, uint32_t offset, unsigned size)
{
	uint32_t v;
	if (offset < IOREGSEL + 4)
		v = io->regsel >> (8 * offset);
	else if (offset >= IOWIN && offset < IOWIN + 4)
		v = reg_read(io) >> (8 * (offset - IOWIN));
	else
		return 0;
	return size >= 4 ? v : v & ((1u << (8 * size)) - 1);
}

void vioapic_mmio_write(struct vioapic *io, struct vlapic *a, uint32_t offset, unsigned size,
			uint64_t val)
{
	if (offset == IOREGSEL) {
		io->regsel = (uint32_t)val & 0xff; /* bits 7:0; the rest reserved */
	} else if (offset == IOWIN) {
		uint32_t v = (uint32_t)val;
		if (size < 4) { /* a narrower write changes the low bytes only */
			uint32_t mask = (1u << (8 * size)) - 1;
			v = (reg_read(io) & ~mask) | (v & mask);
		}
		reg_write(io, a, v);
	}
}

void vioapic_set_irq(struct vcpu *v, unsigned gsi, bool level)
{
	vioapic_line(&v->ioapic, &v->lapic, gsi, level);
}

static void level_eoi(void *ctx, uint8_t vector)
{
	struct vcpu *v = ctx;
	vioapic_eoi(&v->ioapic, &v->lapic, vector);
}

void vioapic_attach(struct vcpu *v)
{
	vioapic_init(&v->ioapic);
	v->lapic.level_eoi = level_eoi;
	v->lapic.level_eoi_ctx = v;
}
