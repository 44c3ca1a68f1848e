/*
 * IPIs a guest sends through its virtual local APIC's ICR (Intel SDM vol. 3A 11.6;
 * 11.12.9-11.12.11 for x2APIC; AMD APM vol. 2 16.5). A guest has one vCPU and its own
 * cores only: what reaches this APIC is delivered (fixed and lowest-priority as fixed,
 * NMI), everything else (INIT, SIPI, SMI, any part aimed at another APIC) is dropped and
 * counted for the core's once-per-guest message. Nothing here touches hardware.
 */
#include "hv/vlapic_regs.h"

struct ipi_targets {
	bool self, others;
};

/* Logical destination (SDM 11.6.2.2): flat model, an 8-bit mask against LDR[31:24]; cluster
 * model, cluster in dest[7:4] (15 = all clusters) and a 4-bit mask against LDR[27:24]. */
static struct ipi_targets xapic_logical(const struct vlapic *a, uint32_t dest)
{
	uint32_t mine = a->ldr >> 24;
	if (dest == 0xff)
		return (struct ipi_targets){ true, true };
	if ((a->dfr >> 28) == 0xf) /* flat */
		return (struct ipi_targets){ (dest & mine) != 0, (dest & ~mine) != 0 };
	bool cluster_ok = (dest >> 4) == 0xf || (dest >> 4) == (mine >> 4);
	bool self = cluster_ok && (dest & mine & 0xf);
	bool others = (dest >> 4) == 0xf || (dest >> 4) != (mine >> 4) || (dest & ~mine & 0xf);
	return (struct ipi_targets){ self, others };
}

/* x2APIC logical destination (SDM 11.12.10.1): cluster ID in 31:16, member mask in 15:0. */
static struct ipi_targets x2apic_logical(const struct vlapic *a, uint32_t dest)
{
	if (dest == 0xffffffffu)
		return (struct ipi_targets){ true, true };
	bool same_cluster = (dest >> 16) == (a->ldr >> 16);
	bool self = same_cluster && (dest & a->ldr & 0xffff);
	bool others = !same_cluster ? (dest & 0xffff) != 0 : (dest & ~a->ldr & 0xffff) != 0;
	return (struct ipi_targets){ self, others };
}

static struct ipi_targets ipi_targets(const struct vlapic *a, uint32_t icr_lo, uint32_t dest)
{
	switch ((icr_lo >> ICR_SHORTHAND_SHIFT) & 3) {
	case SH_SELF:
		return (struct ipi_targets){ true, false };
	case SH_ALL_INCL_SELF:
		return (struct ipi_targets){ true, true };
	case SH_ALL_EXCL_SELF:
		return (struct ipi_targets){ false, true };
	default:
		break;
	}
	bool x2 = vlapic_x2apic(a);
	if (icr_lo & ICR_DEST_LOGICAL)
		return x2 ? x2apic_logical(a, dest) : xapic_logical(a, dest);
	/* Physical (SDM 11.6.2.1): the APIC ID; all ones is the broadcast. */
	uint32_t broadcast = x2 ? 0xffffffffu : 0xff;
	if (dest == broadcast)
		return (struct ipi_targets){ true, true };
	return (struct ipi_targets){ dest == a->id, dest != a->id };
}

bool vlapic_is_destination(const struct vlapic *a, bool logical, uint32_t dest)
{
	return ipi_targets(a, logical ? ICR_DEST_LOGICAL : 0, dest).self;
}

static void count_drop(struct vlapic *a, uint32_t icr_lo, uint32_t dest)
{
	if (!a->dropped_ipis++) {
		a->first_dropped_icr_lo = icr_lo;
		a->first_dropped_dest = dest;
	}
}

void vlapic_send_ipi(struct vlapic *a, uint32_t icr_lo, uint32_t dest)
{
	struct ipi_targets t = ipi_targets(a, icr_lo, dest);
	enum icr_delivery dm = (enum icr_delivery)((icr_lo >> ICR_DM_SHIFT) & 7);
	uint8_t vector = icr_lo & ICR_VECTOR;
	bool drop = t.others;
	switch (dm) {
	case DM_FIXED:
	case DM_LOWEST:
		/* SDM 11.5.3 bit 5: an illegal vector (0-15) is not sent. A lowest-priority IPI
		 * that includes this APIC goes to it: the guest has no other processor. */
		if (vector < 16) {
			vlapic_error(a, ESR_SEND_ILLEGAL_VECTOR);
			return;
		}
		if (t.self)
			vlapic_accept_fixed(a, vector, icr_lo & ICR_TRIGGER_LEVEL);
		break;
	case DM_NMI:
		if (t.self)
			a->nmi_pending = true;
		break;
	default:
		/* SMI, INIT (assert and level de-assert), start-up, and the reserved modes:
		 * never delivered, whoever they aim at. */
		drop = t.self || t.others;
		break;
	}
	if (drop)
		count_drop(a, icr_lo, dest);
}
