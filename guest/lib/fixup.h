/*
 * Exception fixups, as in Linux's exception tables: an instruction that is
 * allowed to fault (RDMSR of an MSR that may not exist, ...) is registered in
 * the .fixup_table section together with a resume address. When it faults,
 * the exception handler records the vector and continues at the resume
 * address instead of treating the fault as fatal.
 *
 * Usage, with interrupts off and one CPU (so one record is enough):
 *	fixup_arm();
 *	__asm__ volatile("1: rdmsr\n2:\n" FIXUP_ENTRY("1b", "2b") : ... : "memory");
 *	uint32_t vec = fixup_take();	// FIXUP_NONE if it did not fault
 */
#ifndef GUEST_FIXUP_H
#define GUEST_FIXUP_H

#include "guest.h"
#include "trap.h"

#define FIXUP_NONE 0xFFFFFFFFu

struct fixup_entry {
	uint32_t fault_eip;
	uint32_t resume_eip;
};

/* Asm text that registers {fault, resume} (label expressions such as "1b"). */
#define FIXUP_ENTRY(fault, resume)                       \
	".pushsection .fixup_table, \"a\"\n\t"           \
	".balign 4\n\t"                                  \
	".long " fault ", " resume "\n\t"                \
	".popsection\n\t"

/* Forgets any earlier recorded fault. */
void fixup_arm(void);

/* The vector of the fault taken at a fixup since fixup_arm(), or FIXUP_NONE. */
uint32_t fixup_take(void);

/* Its error code (meaningful only if fixup_take() returned a vector). */
uint32_t fixup_error_code(void);

/*
 * A catch-all for code that runs many instructions which may each fault (the
 * cpufeat guest's probes): while armed, a fault at an EIP that has no table
 * entry is recorded like a fixup and resumes at `resume_eip`, once (the catch
 * disarms itself). ESP is not restored: the code at `resume_eip` must do that.
 * 0 disarms it.
 */
void fixup_catch_all(uint32_t resume_eip);

/* The EIP of the last fault recorded (fixup entry or catch-all). */
uint32_t fixup_fault_eip(void);

/* Called by trap_dispatch: if f->eip is registered (or the catch-all is armed), records and
 * redirects; true if handled. */
bool fixup_handle(struct trap_frame *f);

#endif
