/* The console UART's receive interrupt on the host (see console_irq.c). */
#ifndef ARCH_X86_CONSOLE_IRQ_H
#define ARCH_X86_CONSOLE_IRQ_H

#include "hv/types.h"

/* Before ExitBootServices (the ACPI tables are the firmware's): where ISA IRQ 4 arrives. */
void console_irq_plan(const void *rsdp);
/* At takeover, on the console CPU with its IDT loaded: the I/O APIC entry and the UART's
 * receive interrupt turned on. */
void console_irq_start(uint32_t console_apic_id);
/* A host interrupt with this vector was taken and ended (EOI) on this CPU, through the IDT
 * or acknowledged by a VMX exit: the console's receive bytes moved into the raw ring, the
 * host timer's console work. Any context; never waits. */
void host_irq_dispatch(int vector);

#endif
