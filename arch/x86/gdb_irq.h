/* COM2's receive interrupt for the gdb stub (see gdb_irq.c). */
#ifndef ARCH_X86_GDB_IRQ_H
#define ARCH_X86_GDB_IRQ_H

#include "hv/types.h"

/* Before ExitBootServices: where ISA IRQ 3 arrives (the MADT). */
void gdb_irq_plan(const void *rsdp);
/* At takeover, on the console CPU, when the stub is on (gdb_init): the I/O APIC entry and the
 * UART's receive interrupt. */
void gdb_irq_start(uint32_t console_apic_id);

#endif
