/*
 * Guest CR0/CR4 under VMX, and the guest's own switch to long mode.
 *
 * The CPU in VMX operation insists on some CR0/CR4 bits (IA32_VMX_CR0/CR4_FIXED0/1,
 * SDM vol. 3C 23.8, 26.3.1.1) that a Multiboot guest does not have: CR0.NE
 * and CR4.VMXE. Unrestricted guest exempts only CR0.PE and CR0.PG. Those
 * bits are host-owned through the CR0/CR4 guest/host masks (24.6.6): the real
 * guest CR0/CR4 carry them, the read shadows hold what the guest wrote, and a
 * guest MOV to CR that changes a host-owned bit exits (25.1.3) so it can be
 * emulated here.
 *
 * CR0.PG is host-owned too. With EFER.LME = 1, setting CR0.PG activates
 * IA-32e mode (SDM vol. 3A 9.8.5: EFER.LMA becomes 1). VM entry loads
 * EFER.LMA from the "IA-32e mode guest" entry control (26.3.1.1, 26.3.2.1:
 * with "load IA32_EFER" the two must agree), so that control has to follow
 * the guest's paging switch, and the only way to see the switch is to own
 * PG: the exit below sets LMA and the control together, and clears both when
 * the guest leaves paging again. With PAE paging (no LME) and EPT, VM entry
 * loads the PDPTEs from the VMCS (26.3.2.4), so the emulated CR0/CR4 writes
 * load them from guest memory as MOV to CR would (vol. 3A 4.4.1).
 */
#include "arch/x86/cpu.h"
#include "arch/x86/vmx/vmx.h"
#include "hv/guest_fetch.h"
#include "hv/vcpu.h"

/* The architectural CR0 bits; writes to the others (reserved) are dropped, as on hardware. */
#define CR0_DEFINED (CR0_PE | CR0_MP | CR0_EM | CR0_TS | CR0_ET | CR0_NE | CR0_WP | CR0_AM | \
		     CR0_NW | CR0_CD | CR0_PG)

void vmx_cr_init(struct vmx_vcpu *x, uint64_t cr0, uint64_t cr4)
{
	const struct vmx_cpu *c = x->cpu;
	uint64_t cr0_forced1 = c->cr0_fixed0 & ~(CR0_PE | CR0_PG); /* 26.3.1.1, unrestricted guest */
	x->cr0_mask = CR0_PG | cr0_forced1 | (~c->cr0_fixed1 & 0xffffffffu);
	x->cr4_mask = c->cr4_fixed0 | ~c->cr4_fixed1;
	vmwrite(VMCS_CR0_GUEST_HOST_MASK, x->cr0_mask);
	vmwrite(VMCS_CR4_GUEST_HOST_MASK, x->cr4_mask);
	vmwrite(VMCS_CR0_READ_SHADOW, cr0);
	vmwrite(VMCS_CR4_READ_SHADOW, cr4);
	vmwrite(VMCS_GUEST_CR0, (cr0 | cr0_forced1) & c->cr0_fixed1);
	vmwrite(VMCS_GUEST_CR4, (cr4 | c->cr4_fixed0) & c->cr4_fixed1);
}

/* What the guest reads with MOV from CR (25.3): shadow bits where the mask is set. */
uint64_t vmx_guest_cr0(const struct vmx_vcpu *x)
{
	return (vmread(VMCS_GUEST_CR0) & ~x->cr0_mask) | (vmread(VMCS_CR0_READ_SHADOW) & x->cr0_mask);
}

uint64_t vmx_guest_cr4(const struct vmx_vcpu *x)
{
	return (vmread(VMCS_GUEST_CR4) & ~x->cr4_mask) | (vmread(VMCS_CR4_READ_SHADOW) & x->cr4_mask);
}

/* Exit qualification GPR numbering (table 27-3) to struct guest_gprs; RSP lives in the VMCS. */
static uint64_t *gpr_slot(struct vcpu *v, unsigned n)
{
	static const uint8_t map[16] = { 0, 2, 3, 1, 0xff, 6, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14 };
	return map[n] == 0xff ? NULL : &((uint64_t *)&v->gprs)[map[n]];
}

static uint64_t gpr_read(struct vcpu *v, unsigned n)
{
	uint64_t *p = gpr_slot(v, n);
	return p ? *p : vmread(VMCS_GUEST_RSP);
}

static void gpr_write(struct vcpu *v, unsigned n, uint64_t val)
{
	uint64_t *p = gpr_slot(v, n);
	if (p)
		*p = val;
	else
		vmwrite(VMCS_GUEST_RSP, val);
}

/* PAE paging: load the four PDPTEs at CR3[31:5] into the VMCS; -1 (#GP) when one is
 * present with reserved bits set or lies outside guest memory (vol. 3A 4.4.1). */
static int load_pdptes(struct vcpu *v, uint64_t cr3)
{
	uint64_t pdpte[4];
	if (guest_phys_read(&v->mem, cr3 & 0xffffffe0u, pdpte, sizeof(pdpte)))
		return -1;
	uint32_t maxphy = cpuid(0x80000008u, 0).eax & 0xff;
	uint64_t reserved = 0x1e6 | ~((1ull << maxphy) - 1); /* bits 2:1, 8:5, above MAXPHYADDR */
	for (int i = 0; i < 4; i++)
		if ((pdpte[i] & 1) && (pdpte[i] & reserved))
			return -1;
	for (int i = 0; i < 4; i++)
		vmwrite(VMCS_GUEST_PDPTE0 + 2 * (uint64_t)i, pdpte[i]);
	return 0;
}

static bool guest_in_64bit_code(const struct vmx_vcpu *x)
{
	return (vmx_guest_efer(x) & EFER_LMA) && (vmread(VMCS_GUEST_CS_AR) & AR_L);
}

/* Switch IA-32e mode: EFER.LMA and the "IA-32e mode guest" entry control move together
 * (without "load IA32_EFER" the control alone sets the CPU's LMA and LME, 26.3.2.1, and
 * the guest's EFER, with LMA, is what the autoload list loads: vmx_efer_pat.c). 0, or -1
 * with the guest stopped. */
static int set_lma(struct vcpu *v, struct vmx_vcpu *x, bool on)
{
	uint64_t efer = vmx_guest_efer(x);
	if (vmx_set_guest_efer(x, on ? efer | EFER_LMA : efer & ~EFER_LMA)) {
		vcpu_stop(v, "VMX: no room in the MSR autoload lists for EFER");
		return -1;
	}
	x->entry_controls = on ? x->entry_controls | ENTRY_IA32E_MODE_GUEST
			       : x->entry_controls & ~ENTRY_IA32E_MODE_GUEST;
	vmwrite(VMCS_ENTRY_CONTROLS, x->entry_controls);
	return 0;
}

/* MOV to CR0 (vol. 2B MOV, vol. 3A 2.5, 9.8.5): 0, or 1 for #GP. */
static int emulate_cr0(struct vcpu *v, struct vmx_vcpu *x, uint64_t val)
{
	const struct vmx_cpu *c = x->cpu;
	uint64_t old = vmx_guest_cr0(x), cr4 = vmx_guest_cr4(x);
	uint64_t efer = vmx_guest_efer(x);
	if (val >> 32 || ((val & CR0_PG) && !(val & CR0_PE)) || ((val & CR0_NW) && !(val & CR0_CD)))
		return 1;
	val = (val & CR0_DEFINED) | CR0_ET;
	bool pg_on = (val & CR0_PG) && !(old & CR0_PG), pg_off = !(val & CR0_PG) && (old & CR0_PG);
	if (pg_on && (efer & EFER_LME) && !(cr4 & CR4_PAE))
		return 1;
	if (pg_off && guest_in_64bit_code(x))
		return 1; /* paging may only be turned off from compatibility mode */
	if (pg_off && (cr4 & CR4_PCIDE))
		return 1; /* vol. 2B MOV: clearing PG with CR4.PCIDE set is #GP */
	bool pae_paging = (val & CR0_PG) && (cr4 & CR4_PAE) && !(efer & EFER_LME);
	if (pae_paging && (pg_on || ((val ^ old) & (CR0_CD | CR0_NW))) &&
	    load_pdptes(v, vmread(VMCS_GUEST_CR3)))
		return 1;
	if (pg_on && (efer & EFER_LME) && set_lma(v, x, true))
		return -1;
	if (pg_off && (efer & EFER_LMA) && set_lma(v, x, false))
		return -1;
	uint64_t forced1 = c->cr0_fixed0 & ~(CR0_PE | CR0_PG);
	vmwrite(VMCS_CR0_READ_SHADOW, val);
	vmwrite(VMCS_GUEST_CR0, (val | forced1) & c->cr0_fixed1);
	/* The CPU would have flushed the TLBs for a PG change (vol. 3A 4.10.4.1); a VMWRITE
	 * does not, and with VPID neither does VM entry (28.3.3.3). */
	if ((pg_on || pg_off || ((val ^ old) & CR0_WP)) && vmx_flush_guest_tlb(x)) {
		vcpu_stop(v, "INVVPID failed after a CR0 change");
		return -1;
	}
	return 0;
}

/* MOV to CR4: only writes that change a host-owned bit get here (VMXE, unsupported bits). */
static int emulate_cr4(struct vcpu *v, struct vmx_vcpu *x, uint64_t val)
{
	const struct vmx_cpu *c = x->cpu;
	uint64_t old = vmx_guest_cr4(x), cr0 = vmx_guest_cr0(x);
	uint64_t efer = vmx_guest_efer(x);
	/* The guest's CPUID shows no VMX, so CR4.VMXE is reserved for it; so is any bit
	 * the CPU cannot hold in VMX operation (CR4_FIXED1). */
	uint64_t allowed = c->cr4_fixed1 & ~CR4_VMXE;
	if ((val & ~allowed) || ((efer & EFER_LMA) && !(val & CR4_PAE)))
		return 1;
	bool pae_paging = (cr0 & CR0_PG) && (val & CR4_PAE) && !(efer & EFER_LMA);
	if (pae_paging && ((val ^ old) & (CR4_PAE | CR4_PSE | CR4_PGE)) &&
	    load_pdptes(v, vmread(VMCS_GUEST_CR3)))
		return 1;
	vmwrite(VMCS_CR4_READ_SHADOW, val);
	vmwrite(VMCS_GUEST_CR4, (val | c->cr4_fixed0) & c->cr4_fixed1);
	/* As for CR0: changes the CPU would have flushed for (vol. 3A 4.10.4.1). */
	if (((val ^ old) & (CR4_PGE | CR4_PAE | CR4_PSE | CR4_PCIDE | CR4_SMEP)) &&
	    vmx_flush_guest_tlb(x)) {
		vcpu_stop(v, "INVVPID failed after a CR4 change");
		return -1;
	}
	return 0;
}

int vmx_cr_access(struct vcpu *v, uint64_t q)
{
	struct vmx_vcpu *x = v->arch;
	/* Exit qualification for control-register accesses (table 27-3). */
	unsigned cr = q & 0xf, type = (q >> 4) & 3, gpr = (q >> 8) & 0xf;
	struct guest_mode m;
	vmx_read_mode(v, &m);
	uint64_t opmask = m.cs_bits == 64 ? ~0ull : 0xffffffffull;
	switch (type) {
	case 0: { /* MOV to CR */
		uint64_t val = gpr_read(v, gpr) & opmask;
		if (cr == 0)
			return emulate_cr0(v, x, val);
		if (cr == 4)
			return emulate_cr4(v, x, val);
		if (cr == 3) { /* only when the CPU forces CR3-load exiting (vmx_controls.c) */
			/* With PCIDE, bit 63 asks not to flush and is not loaded (vol. 3A 4.10.4.1);
			 * without it, a set bit 63 is reserved. */
			bool keep = (m.cr4 & CR4_PCIDE) && (val >> 63);
			if (!(m.cr4 & CR4_PCIDE) && (val >> 63))
				return 1;
			val &= ~BIT(63);
			bool pae = (m.cr0 & CR0_PG) && (m.cr4 & CR4_PAE) && !(m.efer & EFER_LMA);
			if (pae && load_pdptes(v, val))
				return 1;
			vmwrite(VMCS_GUEST_CR3, val);
			if (!keep && vmx_flush_guest_tlb(x)) {
				vcpu_stop(v, "INVVPID failed after a CR3 load");
				return -1;
			}
			return 0;
		}
		break;
	}
	case 1: /* MOV from CR: only CR3 can exit (CR3-store exiting forced on) */
		if (cr == 3) {
			gpr_write(v, gpr, vmread(VMCS_GUEST_CR3) & opmask);
			return 0;
		}
		break;
	case 3: { /* LMSW: loads CR0[3:0] but cannot clear PE (vol. 2A LMSW) */
		uint64_t src = (q >> 16) & 0xf, cr0 = vmx_guest_cr0(x);
		return emulate_cr0(v, x, (cr0 & ~0xeull) | src | (cr0 & CR0_PE));
	}
	default: /* CLTS exits only when CR0.TS is host-owned, which it never is */
		break;
	}
	vcpu_stop(v, "unexpected control-register access exit (qualification 0x%llx)",
		  (unsigned long long)q);
	return -1;
}
