/* The guest's accesses to its xAPIC MMIO page and its I/O APIC page: decoded and carried
 * out on its virtual local APIC (docs/interrupts.md) or I/O APIC (hv/vioapic.h). */
#ifndef HV_APIC_MMIO_H
#define HV_APIC_MMIO_H

#include "hv/vcpu.h"

/*
 * An EXIT_NPF whose address vlapic_mmio_covers(): fetch the instruction at CS:RIP
 * through the guest's page tables, decode it (hv/mmio_decode.c), perform it on v->lapic
 * at the guest's TSC and write the register result back. ACT_SKIP with e->insn_len
 * set; ACT_STOP (with a one-line reason naming the bytes) when it cannot be emulated.
 */
enum exit_action apic_mmio_exit(struct vcpu *v, struct vm_exit *e);
/* The same for an EXIT_NPF whose address vioapic_mmio_covers(): the guest's I/O APIC. */
enum exit_action ioapic_mmio_exit(struct vcpu *v, struct vm_exit *e);

#endif
