/* Long mode for the 32-bit test guests: the first GiB identity-mapped with 2 MiB pages, a
 * GDT with 0x08 32-bit code (the C code and its IDT keep using it: compatibility mode),
 * 0x10 data and 0x18 64-bit code. Intel SDM vol. 3A 10.8.5, AMD APM vol. 2 14.6.1. */
#ifndef GUEST_LIB_LONG_MODE_H
#define GUEST_LIB_LONG_MODE_H

#define LM_CODE64 0x18

/* From 32-bit protected mode with paging off: PAE, EFER.LME (an intercepted MSR write),
 * CR0.PG. Returns in compatibility mode. */
void long_mode_enter(void);
/* Far-calls fn in the 64-bit code segment; fn ends with a 32-bit far return (retf). The
 * callee-saved registers are kept. */
void call64(void (*fn)(void));

#endif
