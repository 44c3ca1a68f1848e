/* The gdb stub's serial port for host tests: no UART (hv/gdb_port.h). */
#include "hv/gdb_port.h"

bool gdb_port_init(void)
{
	return false;
}

int gdb_port_rx(void)
{
	return -1;
}

void gdb_port_tx(const char *s, size_t n)
{
	(void)s;
	(void)n;
}

void gdb_port_rx_irq_enable(void)
{
}
