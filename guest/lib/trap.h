/* CPU exceptions: the IDT and what the handler sees. */
#ifndef GUEST_TRAP_H
#define GUEST_TRAP_H

#include "guest.h"

/*
 * Built by trap_stubs.asm: PUSHAD, then the vector, the error code (0 if the
 * CPU pushes none), and the CPU's own EIP/CS/EFLAGS. At CPL 0 there is no SS:ESP: the
 * interrupted ESP is the address just past `eflags`; a trap from CPL 3 (user_mode.h) has
 * the interrupted SS:ESP there instead.
 * The handler may modify it; the stubs restore registers from it on return.
 */
struct trap_frame {
	uint32_t edi, esi, ebp, esp_pushad, ebx, edx, ecx, eax;
	uint32_t vector, error_code;
	uint32_t eip, cs, eflags;
};

#define VEC_DE 0
#define VEC_UD 6
#define VEC_DF 8
#define VEC_GP 13
#define VEC_PF 14

#define VEC_DB 1

/* Single-step traps (#DB) taken since trap_db_reset(): how many, the EIP of the last,
 * and DR6 as the handler found it. The handler clears TF, so stepping stops there. */
struct trap_db_record {
	volatile uint32_t count, eip, dr6;
};
extern struct trap_db_record trap_db;
void trap_db_reset(void);

/* Interrupts (vectors 32-255) taken. The platform has no interrupt source for a guest, so
 * any is unexpected: unless `armed`, the handler reports it and exits EXIT_INTERRUPT; armed,
 * it only counts it (a check that runs with IF = 1 reads the record). */
struct trap_irq_record {
	volatile uint32_t count, vector;
	volatile bool armed;
};
extern struct trap_irq_record trap_irq;

/* Installs all 256 gates; called by start.asm before guest_main. */
void trap_init(void);

/* Points `vector`'s gate at `handler` (a 32-bit interrupt gate in the code segment of
 * start.asm) with descriptor privilege level `dpl`: 3 lets CPL 3 code reach it with INT n
 * (user_mode.h). */
void trap_set_gate(unsigned vector, uint32_t handler, unsigned dpl);

/* Called by the stubs: applies a registered fixup, or reports and exits 0xE0+vector. */
void trap_dispatch(struct trap_frame *f);

/* A short mnemonic such as "#GP" for an exception vector. */
const char *trap_name(uint32_t vector);

#endif
