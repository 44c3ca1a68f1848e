/*
 * COM2's receive interrupt, for the gdb stub (hv/gdb_stop.h): ISA IRQ 3 through the host's
 * I/O APIC to the console CPU, vector HV_GDB_VECTOR, found and programmed as COM1's is
 * (arch/x86/console_irq.c: the MADT's interrupt source override, else the ISA defaults).
 * Without a MADT (OVMF under Bochs publishes no ACPI tables) the PC's standard layout is
 * taken: one I/O APIC at 0xFEC00000 with GSI = ISA IRQ, edge, active high; ioapic_route
 * refuses it when nothing answers there. The handler (host_irq_dispatch) only moves bytes
 * into the stub's ring and, when gdb wants a guest stopped, asks that guest's CPU.
 */
#include "arch/x86/gdb_irq.h"
#include "drivers/acpi_madt.h"
#include "drivers/ioapic.h"
#include "hv/gdb_port.h"
#include "hv/log.h"
#include "hv/platform.h"

#define STANDARD_IOAPIC 0xfec00000ull

static struct madt_isa_route route;
static bool from_madt;

void gdb_irq_plan(const void *rsdp)
{
	char err[120];
	from_madt = !acpi_madt_isa_irq(rsdp, GDB_COM2_ISA_IRQ, &route, err, sizeof(err));
	if (!from_madt)
		route = (struct madt_isa_route){ .gsi = GDB_COM2_ISA_IRQ, .ioapic_addr = STANDARD_IOAPIC };
}

void gdb_irq_start(uint32_t console_apic_id)
{
	char err[120];
	unsigned pin = route.gsi - route.ioapic_gsi_base;
	if (ioapic_route(route.ioapic_addr, pin, HV_GDB_VECTOR, (uint8_t)console_apic_id,
			 route.level, route.active_low, err, sizeof(err))) {
		hv_printf("hv: gdb stub: COM2 interrupt not routed (%s): gdb can attach only while "
			  "a guest is stopped\n", err);
		return;
	}
	gdb_port_rx_irq_enable();
	hv_printf("hv: gdb stub: COM2 IRQ %u -> GSI %u (I/O APIC at 0x%llx%s, pin %u) -> vector 0x%x "
		  "on cpu %u\n", GDB_COM2_ISA_IRQ, route.gsi, (unsigned long long)route.ioapic_addr,
		  from_madt ? "" : ", no MADT: standard PC layout", pin, HV_GDB_VECTOR, HV_CONSOLE_CPU);
}
