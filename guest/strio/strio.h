/* The strio guest (main.c): string port I/O under the hypervisor. */
#ifndef STRIO_H
#define STRIO_H

#include "guest.h"
#include "report.h"

#define NO_DEVICE 0x2F8 /* COM2: nothing there (hv: all ones) */

/* Page faults in the middle of INS/OUTS, under 32-bit paging (paging_checks.c). */
void paging_checks(void);
/* 64-bit mode: 0x67, FS/GS overrides, DF = 1 (long_mode.c, run64.asm). */
void long_mode_checks(void);

#endif
