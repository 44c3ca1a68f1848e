/*
 * The virtual local APIC's register offsets and the helpers its files share
 * (hv/vlapic*.c only). Offsets are those of the xAPIC page (Intel SDM vol. 3A table
 * 11-1); the x2APIC MSR of a register is 0x800 + offset / 16 (SDM 11.12.1.2, table 11-6).
 */
#ifndef HV_VLAPIC_REGS_H
#define HV_VLAPIC_REGS_H

#include "hv/vlapic.h"

#define APIC_ID 0x020
#define APIC_LVR 0x030
#define APIC_TPR 0x080
#define APIC_APR 0x090
#define APIC_PPR 0x0a0
#define APIC_EOI 0x0b0
#define APIC_RRD 0x0c0
#define APIC_LDR 0x0d0
#define APIC_DFR 0x0e0
#define APIC_SVR 0x0f0
#define APIC_ISR 0x100 /* 8 registers, 0x100-0x170 */
#define APIC_TMR 0x180 /* 0x180-0x1f0 */
#define APIC_IRR 0x200 /* 0x200-0x270 */
#define APIC_ESR 0x280
#define APIC_LVT_CMCI 0x2f0
#define APIC_ICR_LO 0x300
#define APIC_ICR_HI 0x310
#define APIC_LVT_TIMER 0x320
#define APIC_LVT_THERMAL 0x330
#define APIC_LVT_PERFMON 0x340
#define APIC_LVT_LINT0 0x350
#define APIC_LVT_LINT1 0x360
#define APIC_LVT_ERROR 0x370
#define APIC_TIMER_ICR 0x380
#define APIC_TIMER_CCR 0x390
#define APIC_TIMER_DCR 0x3e0
#define APIC_SELF_IPI 0x3f0 /* x2APIC only (MSR 0x83F) */

/* Version register (SDM 11.4.8, figure 11-7): version 0x14 (an integrated xAPIC), the
 * highest LVT entry index LVT_COUNT - 1 (CMCI is modelled: 7 entries), bit 24 (EOI-broadcast
 * suppression) clear: not supported, so SVR bit 12 is reserved. */
#define VLAPIC_VERSION (0x14u | ((uint32_t)(LVT_COUNT - 1) << 16))

#define SVR_VECTOR 0xffu
#define SVR_ENABLE BIT(8)
#define SVR_FOCUS BIT(9)
#define LVT_MASKED BIT(16)
#define LVT_TIMER_MODE_SHIFT 17
#define LVT_TIMER_MODE_MASK (3u << LVT_TIMER_MODE_SHIFT)

/* ESR bits (SDM 11.5.3, figure 11-9). */
#define ESR_SEND_ILLEGAL_VECTOR BIT(5)
#define ESR_RECV_ILLEGAL_VECTOR BIT(6)
#define ESR_ILLEGAL_REGISTER BIT(7)

/* ICR (SDM 11.6.1, figure 11-12). */
#define ICR_VECTOR 0xffu
#define ICR_DM_SHIFT 8
#define ICR_DEST_LOGICAL BIT(11)
#define ICR_LEVEL_ASSERT BIT(14)
#define ICR_TRIGGER_LEVEL BIT(15)
#define ICR_SHORTHAND_SHIFT 18
#define ICR_LO_WRITABLE 0x000ccfffu /* vector, mode, dest mode, level, trigger, shorthand */
enum icr_delivery {
	DM_FIXED, DM_LOWEST, DM_SMI, DM_REMOTE_READ, DM_NMI, DM_INIT, DM_STARTUP, DM_EXTINT
};
enum icr_shorthand { SH_NONE, SH_SELF, SH_ALL_INCL_SELF, SH_ALL_EXCL_SELF };

static inline bool vlapic_sw_enabled(const struct vlapic *a)
{
	return a->svr & SVR_ENABLE;
}

static inline bool vec_test(const uint32_t *bits, unsigned v)
{
	return bits[v / 32] & (1u << (v % 32));
}
static inline void vec_set(uint32_t *bits, unsigned v)
{
	bits[v / 32] |= 1u << (v % 32);
}
static inline void vec_clear(uint32_t *bits, unsigned v)
{
	bits[v / 32] &= ~(1u << (v % 32));
}
/* The highest set vector of a 256-bit register, or -1. */
int vlapic_highest(const uint32_t *bits);

/* The register at offset (16-byte aligned), 32 bits, the same in both modes except where
 * the callers differ (ID, LDR, DFR, ICR). */
uint32_t vlapic_reg_read(struct vlapic *a, uint32_t off, uint64_t now);
/* Registers both modes share the write rules of (TPR, SVR, LVTs, timer). */
void vlapic_reg_write(struct vlapic *a, uint32_t off, uint32_t val, uint64_t now);
/* Record an error in the ESR's pending bits; signals the LVT error entry when it is new. */
void vlapic_error(struct vlapic *a, uint32_t esr_bit);
/* A fixed, edge-triggered (level: TMR set) interrupt accepted by this APIC. */
void vlapic_accept_fixed(struct vlapic *a, uint8_t vector, bool level);
/* The interrupt an LVT entry describes, when it fires (timer, error). */
void vlapic_lvt_fire(struct vlapic *a, enum vlapic_lvt lvt);
/* Registers back to their power-up values (SDM 11.4.7.1), keeping the ID and IA32_APIC_BASE. */
void vlapic_reset_regs(struct vlapic *a);
uint32_t vlapic_ppr(const struct vlapic *a);
/* The logical ID in x2APIC mode (SDM 11.12.10.2): cluster ID (ID[19:4]) in bits 31:16,
 * 1 << ID[3:0] in bits 15:0. */
uint32_t vlapic_x2apic_ldr(uint32_t id);

/* Timer (hv/vlapic_timer.c). */
uint32_t vlapic_timer_ccr(const struct vlapic *a, uint64_t now);
void vlapic_timer_write_icr(struct vlapic *a, uint32_t val, uint64_t now);
void vlapic_timer_write_dcr(struct vlapic *a, uint32_t val, uint64_t now);
void vlapic_timer_write_lvt(struct vlapic *a, uint32_t val, uint64_t now);
enum vlapic_timer_mode vlapic_timer_mode(const struct vlapic *a);

/* ICR and IPIs (hv/vlapic_ipi.c): send what the ICR describes; dest is the x2APIC
 * destination (32 bits) or, in xAPIC mode, ICR high bits 31:24. */
void vlapic_send_ipi(struct vlapic *a, uint32_t icr_lo, uint32_t dest);

#endif
