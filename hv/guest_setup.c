/* Guest preparation (see guest_setup.h). */
#include "hv/guest_setup.h"
#include "hv/host_cpu.h"
#include "hv/lib.h"
#include "hv/msr_policy.h"
#include "hv/platform.h"
#include "hv/xcr0_policy.h"

#define LOADER_NAME "hv (type-1 hypervisor)"

void guest_setup(struct vcpu *v, const struct hv_guest_cfg *cfg, uint32_t cpu, uint64_t mem_hpa,
		 uint8_t *mem_base, const struct blob *kernel, const struct blob *mods,
		 uint8_t *ports_seen)
{
	memset(v, 0, sizeof(*v));
	v->cfg = cfg;
	v->cpu = cpu;
	v->mem_hpa = mem_hpa;
	v->mem.base = mem_base;
	v->mem.size = cfg->memory;
	v->ports_seen = ports_seen;
	vuart_init(&v->uart, cfg->name);
	vpic_init(&v->pic);
	msr_emulate_reset(v);
	/* APIC ID 0 (one vCPU); the timer's input clock is the TSC (docs/interrupts.md). */
	vlapic_init(&v->lapic, 0, platform_tsc_khz(), platform_tsc_khz());
	v->xcr0_allowed = xcr0_guest_allowed(host_xcr0_supported(), cfg->xcr0_set, cfg->xcr0);
	xstate_guest_init(v);
	v->xcr0 = XFEATURE_X87;

	if (cfg->error[0]) { /* a bad line of its own in hv.cfg (hv/config_parse.c) */
		vcpu_stop(v, "%s", cfg->error);
		return;
	}
	if (!mem_base) {
		vcpu_stop(v, "no memory for its %llu MiB partition", (unsigned long long)(cfg->memory >> 20));
		return;
	}
	if (!kernel->data) {
		vcpu_stop(v, "kernel '%s' could not be read", cfg->kernel);
		return;
	}
	struct mb_module_img imgs[HV_MAX_MODULES];
	for (uint32_t i = 0; i < cfg->nmodules; i++) {
		if (!mods[i].data) {
			vcpu_stop(v, "module '%s' could not be read", cfg->modules[i].path);
			return;
		}
		imgs[i] = (struct mb_module_img){ mods[i].data, mods[i].size, cfg->modules[i].cmdline };
	}
	char err[160];
	if (multiboot_load(&v->mem, kernel->data, kernel->size, cfg->cmdline, imgs, cfg->nmodules,
			   LOADER_NAME, &v->boot, err, sizeof(err)))
		vcpu_stop(v, "%s: %s", cfg->kernel, err);
}

void guest_cpuid_setup(struct vcpu *v, const struct cpuid_backend_caps *caps)
{
	/* No IA32_XSS for guests (the MSR policy denies it), so no supervisor state. */
	struct cpuid_guest_info info = { .cpu = v->cpu, .mem_bytes = v->cfg->memory,
					 .xcr0_allowed = v->xcr0_allowed, .xss_allowed = 0,
					 .caps = *caps, .tsc_khz = v->lapic.tsc_khz,
					 .bus_khz = v->lapic.bus_khz };
	cpuid_table_build(&v->cpuid, host_cpuid, &info);
	v->lapic.x2apic_allowed = cpuid_lookup(&v->cpuid, 1, 0).ecx & CPUID_1_ECX_X2APIC;
}
