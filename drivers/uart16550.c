/* 16550 driver: 8N1, FIFOs on; output polled, input through the receive interrupt. */
#include "arch/x86/cpu.h"
#include "drivers/uart16550.h"

#define UART_THR 0
#define UART_DLL 0
#define UART_IER 1
#define UART_DLM 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_IIR 2
#define UART_LSR 5
#define LSR_DR 0x01
#define LSR_OE 0x02
#define LSR_THRE 0x20
#define IER_ERBFI 0x01
#define MCR_DTR_RTS_OUT2 0x0b
#define LCR_DLAB 0x80
#define IIR_FIFOS_ON 0xc0 /* IIR bits 7:6 = 11: FIFOs enabled (PC16550D data sheet, table 3) */
#define FIFO_BYTES 16     /* the 16550's transmit FIFO */

static uint16_t uart_port;
static size_t tx_room; /* bytes the transmitter holds once LSR.THRE says it is empty */
static uint64_t rx_overruns;

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
	/* An 8250/16450 has no FIFO: then THRE promises room for one byte only. */
	tx_room = (inb(port + UART_IIR) & IIR_FIFOS_ON) == IIR_FIFOS_ON ? FIFO_BYTES : 1;
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

/* THRE set: the transmit FIFO (or holding register) is empty and takes tx_room bytes
 * without any wait (PC16550D data sheet: LSR bit 5). One port read, no polling. */
size_t uart_tx_room(void)
{
	if (!uart_port)
		return 0;
	return (inb(uart_port + UART_LSR) & LSR_THRE) ? tx_room : 0;
}

void uart_write_nowait(const char *s, size_t n)
{
	if (!uart_port)
		return;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			outb(uart_port + UART_THR, '\r');
		outb(uart_port + UART_THR, (uint8_t)s[i]);
	}
}

/* Received data available interrupt (IER bit 0), with OUT2 set so the interrupt reaches
 * the IRQ line (PC16550D: the INTR pin; PC boards gate it with OUT2). FIFO trigger level 1
 * (FCR bits 7:6 = 00, as uart_init leaves it): one interrupt per byte or burst. */
void uart_rx_irq_enable(void)
{
	if (!uart_port)
		return;
	outb(uart_port + UART_MCR, MCR_DTR_RTS_OUT2);
	outb(uart_port + UART_IER, IER_ERBFI);
}

int uart_rx_byte(void)
{
	if (!uart_port)
		return -1;
	uint8_t lsr = inb(uart_port + UART_LSR); /* reading LSR clears OE */
	if (lsr & LSR_OE)
		rx_overruns++;
	if (lsr == 0xff || !(lsr & LSR_DR)) /* all ones: no UART there */
		return -1;
	return inb(uart_port + UART_THR); /* RBR: same offset as THR */
}

uint64_t uart_rx_overruns(void)
{
	return rx_overruns;
}
