/*
 * Each CPU's host stacks: one HV_CPU_REGION_SIZE-aligned region (hv/percpu.h) holding
 *
 *   region + 0        guard page      (not present in the host page tables)
 *            4 KiB    #DF stack       16 KiB, TSS IST1
 *            20 KiB   guard page
 *            24 KiB   NMI stack       16 KiB, TSS IST2
 *            40 KiB   guard page
 *            44 KiB   #MC stack       16 KiB, TSS IST3
 *            60 KiB   guard page
 *            64 KiB   main stack      64 KiB; its last word is the struct percpu pointer
 *
 * Every stack grows down into its own guard page, so an overflow faults instead of
 * running over its neighbour, and #DF, NMI and #MC are delivered on their own stacks
 * (cpu_tables.c), so an overflow of the main stack ends in a crash report, not a triple
 * fault. Why this layout, and what each backend does: docs/host-faults.md.
 */
#ifndef ARCH_X86_CPU_STACKS_H
#define ARCH_X86_CPU_STACKS_H

#include "hv/page_alloc.h"
#include "hv/percpu.h"

enum cpu_stack {
	CPU_STACK_DF,   /* IST1 */
	CPU_STACK_NMI,  /* IST2 */
	CPU_STACK_MC,   /* IST3 */
	CPU_STACK_MAIN, /* everything else */
	CPU_STACK_COUNT
};

#define CPU_GUARD_SIZE PAGE_SIZE
#define CPU_IST_STACK_SIZE KIB(16)
#define CPU_IST_SLOT (CPU_GUARD_SIZE + CPU_IST_STACK_SIZE)
#define CPU_MAIN_STACK_OFFSET (CPU_STACK_MAIN * CPU_IST_SLOT + CPU_GUARD_SIZE)
_Static_assert(CPU_MAIN_STACK_OFFSET + HV_STACK_SIZE == HV_CPU_REGION_SIZE,
	       "guards and stacks fill the per-CPU region exactly");

/* The lowest and one past the highest usable byte of stack s (its guard page is just below). */
static inline uint64_t cpu_stack_bottom(const struct percpu *pc, enum cpu_stack s)
{
	return pc->stack_region + (uint64_t)s * CPU_IST_SLOT + CPU_GUARD_SIZE;
}
static inline uint64_t cpu_stack_end(const struct percpu *pc, enum cpu_stack s)
{
	return s == CPU_STACK_MAIN ? pc->stack_region + HV_CPU_REGION_SIZE
				   : cpu_stack_bottom(pc, s) + CPU_IST_STACK_SIZE;
}

/* Where a CPU starts on its main stack (trampoline, takeover, the crash path): 16 bytes
 * below the region's end, which holds the percpu pointer; 16-byte aligned before a call. */
static inline uint64_t cpu_main_stack_top(const struct percpu *pc)
{
	return pc->stack_region + HV_CPU_REGION_SIZE - 16;
}

/* Allocate pc's region from pool, store the percpu pointer, and make its four guard pages
 * not present in the host page tables at host_cr3 (splitting the 2 MiB page that holds
 * them). Before those tables are loaded. 0, or -1 when memory runs out. */
int cpu_stacks_reserve(struct page_pool *pool, uint64_t host_cr3, struct percpu *pc);

/* The stack whose guard page holds addr, or CPU_STACK_COUNT if none of pc's does. */
enum cpu_stack cpu_stack_guard_at(const struct percpu *pc, uint64_t addr);
/* Are the len bytes at addr inside one of pc's stacks (readable, no guard page)? */
bool cpu_stack_readable(const struct percpu *pc, uint64_t addr, uint64_t len);
const char *cpu_stack_name(enum cpu_stack s);

/* Continue on the stack at rsp with fn(arg); fn must not return (if it does: halt).
 * arch/x86/switch_stack.asm. */
NORETURN void switch_stack(uint64_t rsp, void (*fn)(struct percpu *), struct percpu *arg);

#endif
