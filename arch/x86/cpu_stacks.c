/* Each CPU's host stacks and their guard pages (layout: cpu_stacks.h). */
#include "arch/x86/cpu_stacks.h"
#include "arch/x86/page_table.h"

int cpu_stacks_reserve(struct page_pool *pool, uint64_t host_cr3, struct percpu *pc)
{
	uint64_t region = page_alloc(pool, HV_CPU_REGION_SIZE / PAGE_SIZE, HV_CPU_REGION_SIZE);
	if (!region)
		return -1;
	pc->stack_region = region;
	*(struct percpu **)(uintptr_t)(region + HV_CPU_REGION_SIZE - 8) = pc;
	for (int s = 0; s < CPU_STACK_COUNT; s++)
		if (pt_unmap_page(pool, host_cr3, cpu_stack_bottom(pc, (enum cpu_stack)s) - CPU_GUARD_SIZE,
				  &pt_format_host))
			return -1;
	return 0;
}

enum cpu_stack cpu_stack_guard_at(const struct percpu *pc, uint64_t addr)
{
	for (int s = 0; s < CPU_STACK_COUNT; s++) {
		uint64_t guard = cpu_stack_bottom(pc, (enum cpu_stack)s) - CPU_GUARD_SIZE;
		if (addr >= guard && addr < guard + CPU_GUARD_SIZE)
			return (enum cpu_stack)s;
	}
	return CPU_STACK_COUNT;
}

bool cpu_stack_readable(const struct percpu *pc, uint64_t addr, uint64_t len)
{
	for (int s = 0; s < CPU_STACK_COUNT; s++) {
		uint64_t lo = cpu_stack_bottom(pc, (enum cpu_stack)s);
		if (addr >= lo && addr <= cpu_stack_end(pc, (enum cpu_stack)s) - len)
			return true;
	}
	return false;
}

const char *cpu_stack_name(enum cpu_stack s)
{
	static const char *const names[CPU_STACK_COUNT] = { "#DF", "NMI", "#MC", "main" };
	return s < CPU_STACK_COUNT ? names[s] : "?";
}
