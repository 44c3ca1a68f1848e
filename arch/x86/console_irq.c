/*
 * The console UART's receive interrupt (hv/console_input.h). COM1 raises ISA IRQ 4, which
 * reaches a global system interrupt (GSI) of an I/O APIC: GSI 4 unless the MADT's interrupt
 * source override for IRQ 4 names another, with the override's polarity and trigger mode,
 * else the ISA defaults, edge and active high (ACPI 6.5 5.2.12.5, table 5.50). The MADT is
 * read before ExitBootServices, while its memory is certainly the firmware's to give
 * (boot/efi_main.c); the I/O APIC's redirection entry is programmed at takeover: fixed
 * delivery, physical destination the console CPU, vector HV_CONSOLE_VECTOR (82093AA
 * datasheet 3.2.4). The handler only moves bytes from the UART into the raw ring and signals
 * the console CPU's hypervisor; everything else happens there in normal context.
 */
#include "arch/x86/console_irq.h"
#include "drivers/acpi_madt.h"
#include "drivers/ioapic.h"
#include "drivers/uart16550.h"
#include "hv/console.h"
#include "hv/console_input.h"
#include "hv/gdb_stop.h"
#include "hv/log.h"
#include "hv/percpu.h"
#include "hv/platform.h"

#define COM1_ISA_IRQ 4
#define RX_BURST 64 /* bytes taken per interrupt at most: a storm cannot hold the CPU */

static struct madt_isa_route route;
static bool route_ok;
static char route_err[120];

/* Without a MADT (OVMF under Bochs publishes no ACPI tables) the PC's standard layout:
 * one I/O APIC at 0xFEC00000, GSI = ISA IRQ, edge, active high; ioapic_route refuses it
 * when nothing answers there. */
#define STANDARD_IOAPIC 0xfec00000ull

void console_irq_plan(const void *rsdp)
{
	route_ok = !acpi_madt_isa_irq(rsdp, COM1_ISA_IRQ, &route, route_err, sizeof(route_err));
	if (!route_ok)
		route = (struct madt_isa_route){ .gsi = COM1_ISA_IRQ, .ioapic_addr = STANDARD_IOAPIC };
}

void console_irq_start(uint32_t console_apic_id)
{
	char err[120];
	if (!route_ok)
		hv_printf("hv: console input: %s; assuming the standard I/O APIC at 0x%llx\n",
			  route_err, (unsigned long long)route.ioapic_addr);
	unsigned pin = route.gsi - route.ioapic_gsi_base;
	if (ioapic_route(route.ioapic_addr, pin, HV_CONSOLE_VECTOR, (uint8_t)console_apic_id,
			 route.level, route.active_low, err, sizeof(err))) {
		hv_printf("hv: console input off: %s\n", err);
		return;
	}
	while (uart_rx_byte() >= 0) /* what arrived before takeover: stale */
		;
	uart_rx_irq_enable();
	hv_printf("hv: console input: COM1 IRQ %u -> GSI %u (I/O APIC %u at 0x%llx, pin %u, %s, "
		  "active %s) -> vector 0x%x on cpu %u\n", COM1_ISA_IRQ, route.gsi, route.ioapic_id,
		  (unsigned long long)route.ioapic_addr, pin, route.level ? "level" : "edge",
		  route.active_low ? "low" : "high", HV_CONSOLE_VECTOR, HV_CONSOLE_CPU);
}

static void console_rx(void)
{
	int c;
	for (int i = 0; i < RX_BURST && (c = uart_rx_byte()) >= 0; i++)
		console_input_raw((uint8_t)c);
	console_input_signal(false);
}

void host_irq_dispatch(int vector)
{
	if (vector == HV_CONSOLE_VECTOR) {
		console_rx();
	} else if (vector == HV_GDB_VECTOR) {
		gdb_irq(); /* COM2: the gdb stub (hv/gdb_stop.h) */
	} else if (vector == HV_TIMER_VECTOR) {
		console_drain(); /* queued console lines (hv/console.h): never waits */
		if (this_cpu()->index == HV_CONSOLE_CPU)
			console_input_signal(true); /* the monitor's tick may be due */
	}
}
