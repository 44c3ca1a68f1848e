/*
 * Code at CPL 3 in the flat 32-bit protected-mode world of start.asm (paging stays off, so
 * user code reaches all memory): a GDT with DPL 3 code and data segments beside the kernel
 * ones at the same selectors, a TSS whose SS0:ESP0 the CPU switches to when user code
 * traps (Intel SDM vol. 3A 6.12.1, 7.2.1; AMD APM vol. 2 8.7.3), and a DPL 3 interrupt gate
 * user code comes back through.
 */
#ifndef GUEST_USER_MODE_H
#define GUEST_USER_MODE_H

#include "guest.h"

#define USER_CS 0x1Bu /* GDT entry 3, RPL 3 */
#define USER_DS 0x23u /* GDT entry 4, RPL 3 */
#define USER_RETURN_VECTOR 0x80u

/*
 * Runs fn() at CPL 3 on a stack of its own with EFLAGS = `eflags` (bit 1 is set for it;
 * IF must be clear: the platform raises no interrupts anyway), and returns at CPL 0 once fn
 * returns. An exception in fn goes to trap.c at CPL 0 on the kernel stack, and a fixup
 * (fixup.h) resumes fn at CPL 3. fn may not do I/O (IOPL 0, no I/O bitmap: #GP), so it
 * cannot print. Returns false, having printed why, if the CPU did not end up at CPL 3.
 */
bool user_mode_call(void (*fn)(void), uint32_t eflags);

#endif
