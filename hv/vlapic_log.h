/* The core's once-per-guest messages about its virtual local APIC (hv/vlapic_log.c). */
#ifndef HV_VLAPIC_LOG_H
#define HV_VLAPIC_LOG_H

#include "hv/types.h"

struct vcpu;
/* After the guest wrote to its APIC (MSR or MMIO): the first dropped IPI, once per guest. */
void vlapic_log_events(struct vcpu *v);
/* A refused IA32_APIC_BASE write that would move the base, once per guest. */
void vlapic_log_base_move(struct vcpu *v, uint64_t val);

#endif
