/* Memory the hypervisor takes from the firmware before ExitBootServices. */
#include "arch/x86/cpu_stacks.h"
#include "arch/x86/cpu.h"
#include "arch/x86/page_table.h"
#include "arch/x86/page_table_la57.h"
#include "boot/boot.h"
#include "boot/efi.h"
#include "hv/builtin_guests.h"
#include "hv/guest_setup.h"
#include "hv/lib.h"
#include "hv/log.h"
#include "hv/percpu.h"
#include "hv/xstate.h"

#define POOL_BASE_SIZE MIB(16)
#define POOL_PER_CPU (HV_CPU_REGION_SIZE + KIB(512))
#define BELOW_4G 0xffffffffull

int boot_reserve(const struct hv_config *cfg, struct boot_plan *plan)
{
	uint64_t pool_size = POOL_BASE_SIZE + hv_ncpus * POOL_PER_CPU + cfg->nguests * KIB(64);
	/* Below 4 GiB: APs load CR3 from 32-bit code in the trampoline. */
	void *pool = efi_alloc_pages(pool_size, MIB(2), BELOW_4G);
	if (!pool || page_pool_init(&hv_pool, (uint64_t)(uintptr_t)pool, pool_size)) {
		hv_printf("hv: cannot reserve %llu MiB for the hypervisor\n",
			  (unsigned long long)(pool_size >> 20));
		return -1;
	}
	if (xstate_host_init())
		hv_printf("hv: no usable XSAVE: guests keep x87/SSE state only\n");
	void *tramp = efi_alloc_pages(PAGE_SIZE, PAGE_SIZE, 0x9ffff);
	if (!tramp || (uint64_t)(uintptr_t)tramp < 0x1000) {
		hv_printf("hv: no free page below 1 MiB for the AP start-up code\n");
		return -1;
	}
	plan->trampoline = (uint64_t)(uintptr_t)tramp;

	/* Identity map everything up to the top of RAM (at least 4 GiB for MMIO). */
	uint64_t top, usable;
	efi_memory_summary(&top, &usable);
	top = ALIGN_UP(MAX(top, GIB(4)), GIB(1));
	plan->host_cr3 = pt_new_root(&hv_pool);
	if (!plan->host_cr3 || pt_map(&hv_pool, plan->host_cr3, 0, 0, top, &pt_format_host)) {
		hv_printf("hv: out of memory for the host page tables\n");
		return -1;
	}
	for (uint32_t i = 0; i < hv_ncpus; i++) {
		if (cpu_stacks_reserve(&hv_pool, plan->host_cr3, &hv_cpus[i])) {
			hv_printf("hv: out of memory for cpu %u's stacks\n", i);
			return -1;
		}
	}
	/* Last, after every change made through the PML4: firmware that runs with 5-level
	 * paging cannot leave it in long mode (CR4.LA57 is fixed there, SDM vol. 3A 4.1.1), so
	 * the host runs on a PML5 over the same PML4 (arch/x86/page_table_la57.h); the APs set
	 * CR4.LA57 before they enable paging (trampoline.nasm). */
	if (read_cr4() & CR4_LA57) {
		plan->host_cr3 = pt_la57_root(&hv_pool, plan->host_cr3, &pt_format_host);
		if (!plan->host_cr3) {
			hv_printf("hv: out of memory for the host page tables\n");
			return -1;
		}
		hv_printf("hv: firmware runs with 5-level paging (CR4.LA57): host tables get a PML5\n");
	}
	return 0;
}

static struct blob read_image(const struct hv_guest_cfg *g, const char *path)
{
	struct blob b = { NULL, 0 };
	char err[200];
	size_t plen = sizeof(BUILTIN_PREFIX) - 1;
	if (!strncmp(path, BUILTIN_PREFIX, plen)) {
		if (builtin_guest_find(path + plen, &b.data, &b.size))
			hv_printf("hv: guest %s: no built-in guest called '%s'\n", g->name, path + plen);
		return b;
	}
	void *data;
	if (efi_read_file(path, &data, &b.size, err, sizeof(err)))
		hv_printf("hv: guest %s: %s\n", g->name, err);
	else
		b.data = data;
	return b;
}

void boot_prepare_guests(const struct hv_config *cfg, struct boot_plan *plan)
{
	(void)plan;
	for (uint32_t i = 0; i < cfg->nguests; i++) {
		const struct hv_guest_cfg *g = &cfg->guests[i];
		struct percpu *pc = &hv_cpus[g->cpu];
		uint64_t vpages = ALIGN_UP(sizeof(struct vcpu), PAGE_SIZE) / PAGE_SIZE;
		struct vcpu *v = (struct vcpu *)(uintptr_t)page_alloc(&hv_pool, vpages, PAGE_SIZE);
		uint8_t *ports = (uint8_t *)(uintptr_t)page_alloc(&hv_pool, 2, PAGE_SIZE);
		if (!v || !ports) {
			hv_printf("hv: guest %s: out of hypervisor memory\n", g->name);
			continue;
		}
		pc->vcpu = v;
		/* 2 MiB-aligned so the nested page tables can use large pages. None for a guest
		 * with a configuration error: guest_setup only stops it. */
		uint8_t *mem = g->error[0] ? NULL : efi_alloc_pages(g->memory, MIB(2), 0);
		struct blob kernel = { NULL, 0 }, mods[HV_MAX_MODULES];
		if (mem) {
			memset(mem, 0, g->memory);
			kernel = read_image(g, g->kernel);
			for (uint32_t m = 0; m < g->nmodules; m++)
				mods[m] = read_image(g, g->modules[m].path);
		}
		guest_setup(v, g, g->cpu, (uint64_t)(uintptr_t)mem, mem, &kernel, mods, ports);
	}
}
