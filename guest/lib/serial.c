/*
 * Polled COM1 output. No UART initialisation: the hypervisor's virtual UART
 * has no baud rate, and QEMU's works without one, so programming the divisor
 * would only add port I/O exits.
 */
#include "serial.h"
#include "io.h"

static bool line_start = true;

void serial_putc(char c)
{
	/* Bounded wait: a UART that never drains must not hang the guest. */
	for (int spin = 0; spin < 100000; spin++)
		if (inb(COM1_BASE + UART_LSR) & UART_LSR_THRE)
			break;
	outb(COM1_BASE + UART_THR, (uint8_t)c);
	line_start = c == '\n';
}

void serial_write(const char *s)
{
	while (*s)
		serial_putc(*s++);
}

bool serial_at_line_start(void)
{
	return line_start;
}

int putchar(int c)
{
	serial_putc((char)c);
	return (unsigned char)c;
}

int puts(const char *s)
{
	serial_write(s);
	serial_putc('\n');
	return 0;
}
