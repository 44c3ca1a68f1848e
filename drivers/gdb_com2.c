/* COM2 for the gdb stub (see hv/gdb_port.h). PC16550D data sheet: register offsets, LSR, the
 * scratch register (SCR, offset 7) used to tell a UART from an empty port. */
#include "arch/x86/cpu.h"
#include "hv/gdb_port.h"

#define THR 0
#define DLL 0
#define IER 1
#define DLM 1
#define FCR 2
#define LCR 3
#define MCR 4
#define LSR 5
#define SCR 7
#define LSR_DR 0x01
#define LSR_THRE 0x20
#define IER_ERBFI 0x01
#define MCR_DTR_RTS 0x03
#define MCR_OUT2 0x08 /* gates the UART's interrupt line on PCs */
#define LCR_DLAB 0x80

static bool present;

bool gdb_port_init(void)
{
	const uint16_t p = GDB_COM2_PORT;
	outb(p + SCR, 0x5a);
	bool a = inb(p + SCR) == 0x5a;
	outb(p + SCR, 0xa5);
	present = a && inb(p + SCR) == 0xa5 && inb(p + LSR) != 0xff;
	if (!present)
		return false;
	outb(p + IER, 0);
	outb(p + LCR, LCR_DLAB);
	outb(p + DLL, 1); /* 115200 baud */
	outb(p + DLM, 0);
	outb(p + LCR, 0x03); /* 8N1 */
	outb(p + FCR, 0x07); /* FIFOs on and cleared */
	outb(p + MCR, MCR_DTR_RTS);
	while (inb(p + LSR) & LSR_DR) /* whatever arrived before: stale */
		inb(p + THR);
	return true;
}

int gdb_port_rx(void)
{
	if (!present)
		return -1;
	uint8_t lsr = inb(GDB_COM2_PORT + LSR);
	if (lsr == 0xff || !(lsr & LSR_DR))
		return -1;
	return inb(GDB_COM2_PORT + THR);
}

void gdb_port_tx(const char *s, size_t n)
{
	if (!present)
		return;
	for (size_t i = 0; i < n; i++) {
		while (!(inb(GDB_COM2_PORT + LSR) & LSR_THRE))
			cpu_relax();
		outb(GDB_COM2_PORT + THR, (uint8_t)s[i]);
	}
}

void gdb_port_rx_irq_enable(void)
{
	if (!present)
		return;
	outb(GDB_COM2_PORT + MCR, MCR_DTR_RTS | MCR_OUT2);
	outb(GDB_COM2_PORT + IER, IER_ERBFI);
}
