/* Preparing one guest before any CPU runs it: memory, kernel, CPUID view, devices. */
#ifndef HV_GUEST_SETUP_H
#define HV_GUEST_SETUP_H

#include "hv/vcpu.h"

/* Fill v for cfg on cpu with partition [mem_hpa, mem_hpa + cfg->memory) (host-mapped at
 * mem_base, already zeroed), and load the kernel and modules. A bad image does not fail
 * the call: the guest is marked stopped with the loader's message, and the rest runs. */
void guest_setup(struct vcpu *v, const struct hv_guest_cfg *cfg, uint32_t cpu, uint64_t mem_hpa,
		 uint8_t *mem_base, const struct blob *kernel, const struct blob *mods,
		 uint8_t *ports_seen);
/* Load v's ACPI tables, kernel and modules (kept in v since boot) into its partition,
 * which must be all zeros, and fill v->boot. At boot and at every restart. 0, or -1 with
 * v stopped and the reason. */
int guest_load(struct vcpu *v);
/* The guest's CPUID view, built on the CPU it runs on (hybrid parts differ per core) once
 * the backend has set up its controls: caps says what the guest may be promised. */
void guest_cpuid_setup(struct vcpu *v, const struct cpuid_backend_caps *caps);

#endif
