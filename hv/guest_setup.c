/* Guest preparation (see guest_setup.h). */
#include "hv/guest_setup.h"
#include "hv/guest_acpi.h"
#include "hv/host_cpu.h"
#include "hv/lib.h"
#include "hv/log.h"
#include "hv/linux_load.h"
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
	v->kernel_img = *kernel;
	for (uint32_t i = 0; i < cfg->nmodules; i++)
		v->module_imgs[i] = mods[i];
	vuart_init(&v->uart, cfg->name);
	vpic_init(&v->pic);
	vrtc_init(&v->rtc);
	msr_emulate_reset(v);
	/* APIC ID 0 (one vCPU); the timer's input clock is the TSC (docs/interrupts.md). */
	vlapic_init(&v->lapic, 0, platform_tsc_khz(), platform_tsc_khz());
	vioapic_attach(v); /* its I/O APIC at 0xFEC00000, level EOIs from the local APIC */
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
	guest_load(v);
}

/* ACPI tables go only where nothing was loaded: the partition is all zeros there. A
 * multiboot kernel may be linked over 0xE0000..0xFFFFF (its memory map calls it reserved,
 * but nothing stops it); it then gets no tables. Linux's e820 keeps the hole free. */
static bool acpi_area_free(const struct vcpu *v)
{
	if (v->mem.size < GUEST_ACPI_END)
		return false;
	const uint8_t *p = v->mem.base + GUEST_ACPI_BASE;
	for (uint64_t i = 0; i < GUEST_ACPI_END - GUEST_ACPI_BASE; i++)
		if (p[i])
			return false;
	return true;
}

static int load_acpi(struct vcpu *v)
{
	if (!acpi_area_free(v)) {
		hv_printf("hv: guest %s: no ACPI tables: its kernel, modules or boot information "
			  "occupy 0x%llx..0x%llx\n", v->cfg->name, (unsigned long long)GUEST_ACPI_BASE,
			  (unsigned long long)GUEST_ACPI_END - 1);
		return 0;
	}
	/* Every guest has the I/O APIC (hv/vioapic.h), so COM1's IRQ 4 is delivered. */
	struct guest_acpi_params p = { .ioapic = true };
	char err[160];
	if (guest_acpi_build(&v->mem, &p, err, sizeof(err))) {
		vcpu_stop(v, "%s", err);
		return -1;
	}
	return 0;
}

int guest_load(struct vcpu *v)
{
	const struct hv_guest_cfg *cfg = v->cfg;
	const struct blob *kernel = &v->kernel_img, *mods = v->module_imgs;
	if (!kernel->data) {
		vcpu_stop(v, "kernel '%s' could not be read", cfg->kernel);
		return -1;
	}
	struct mb_module_img imgs[HV_MAX_MODULES];
	for (uint32_t i = 0; i < cfg->nmodules; i++) {
		if (!mods[i].data) {
			vcpu_stop(v, "module '%s' could not be read", cfg->modules[i].path);
			return -1;
		}
		imgs[i] = (struct mb_module_img){ mods[i].data, mods[i].size, cfg->modules[i].cmdline };
	}
	char err[160];
	int rc;
	if (kernel_kind(kernel->data, kernel->size) == KERNEL_MULTIBOOT) {
		rc = multiboot_load(&v->mem, kernel->data, kernel->size, cfg->cmdline, imgs,
				    cfg->nmodules, LOADER_NAME, &v->boot, err, sizeof(err));
	} else {
		/* A bzImage, or an ELF64 without a multiboot header: Linux (hv/linux_load.h). The
		 * ACPI tables follow the load (load_acpi), at GUEST_ACPI_RSDP_GPA. */
		struct linux_load_args la = { .cmdline = cfg->cmdline, .mods = imgs,
					      .nmods = cfg->nmodules, .tsc_khz = platform_tsc_khz(),
					      .acpi_rsdp = GUEST_ACPI_RSDP_GPA };
		rc = linux_load(&v->mem, kernel->data, kernel->size, &la, &v->boot, err, sizeof(err));
	}
	if (rc) {
		vcpu_stop(v, "%s: %s", cfg->kernel, err);
		return -1;
	}
	return load_acpi(v);
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
