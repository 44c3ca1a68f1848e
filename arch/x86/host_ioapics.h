/* The host's I/O APICs at takeover (see host_ioapics.c). */
#ifndef ARCH_X86_HOST_IOAPICS_H
#define ARCH_X86_HOST_IOAPICS_H

/* Before ExitBootServices (the ACPI tables are the firmware's): which I/O APICs there are. */
void host_ioapics_plan(const void *rsdp);
/* At takeover, on the boot CPU, before any entry is programmed for the hypervisor: every
 * redirection entry of every I/O APIC masked. One line per I/O APIC. */
void host_ioapics_quiesce(void);

#endif
