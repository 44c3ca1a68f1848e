/* Host exception handling: a readable crash report instead of a silent triple fault. */
#ifndef ARCH_X86_CRASH_H
#define ARCH_X86_CRASH_H

#include "hv/types.h"

struct exc_frame {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};
_Static_assert(sizeof(struct exc_frame) == 22 * 8, "exc_frame matches exception_stubs.asm");

void x86_exception(struct exc_frame *f);

/* The NMI handler, on the current stack, ended by its own IRET (exception_stubs.asm). */
void nmi_handler_here(void);

/* Called when a CPU has crashed, before it parks: lets the core account for its guest. */
extern void (*crash_hook)(void);

#endif
