/* Polled 16550 driver: 8N1, FIFOs on, no interrupts (the hypervisor takes none). */
#include "arch/x86/cpu.h"
#include "drivers/uart16550.h"

#define UART_THR 0
#define UART_DLL 0
#define UART_IER 1
#define UART_DLM 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define LSR_THRE 0x20
#define LCR_DLAB 0x80

static uint16_t uart_port;

void uart_init(uint16_t port, uint32_t baud)
{
	uint16_t div = (uint16_t)(115200 / (baud ? baud : 115200));
	uart_port = port;
	outb(port + UART_IER, 0);
	outb(port + UART_LCR, LCR_DLAB);
	outb(port + UART_DLL, div & 0xff);
	outb(port + UART_DLM, div >> 8);
	outb(port + UART_LCR, 0x03); /* 8 data bits, no parity, 1 stop bit */
	outb(port + UART_FCR, 0x07); /* enable and clear FIFOs */
	outb(port + UART_MCR, 0x03); /* DTR, RTS */
}

static void uart_putc(char c)
{
	/* Bounded wait: a missing UART (all-ones LSR) must not hang the hypervisor. */
	for (int i = 0; i < 100000 && !(inb(uart_port + UART_LSR) & LSR_THRE); i++)
		cpu_relax();
	outb(uart_port + UART_THR, (uint8_t)c);
}

void uart_write(const char *s, size_t n)
{
	if (!uart_port)
		return;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			uart_putc('\r');
		uart_putc(s[i]);
	}
}
