/* The 16550 UART the hypervisor itself prints on and reads from (COM1): output polled,
 * input by its receive interrupt (arch/x86/console_irq.c). */
#ifndef DRIVERS_UART16550_H
#define DRIVERS_UART16550_H

#include "hv/types.h"

#define COM1_PORT 0x3f8

void uart_init(uint16_t port, uint32_t baud);
/* Write n bytes, turning "\n" into "\r\n" for terminals. */
void uart_write(const char *s, size_t n);
/* Without waiting (hv/console.c's drain): the output bytes the transmitter takes now, one
 * LSR read; then write at most that many output bytes, "\n" counting as 2 ("\r\n"). */
size_t uart_tx_room(void);
void uart_write_nowait(const char *s, size_t n);
/* Receive (PC16550D data sheet: LSR bit 0 DR, bit 1 OE; IER bit 0 ERBFI; MCR bit 3 OUT2,
 * which gates the interrupt output onto the ISA IRQ line on PC-compatible boards). */
void uart_rx_irq_enable(void);
/* The next received byte, or -1 when LSR.DR is clear. Counts overruns (LSR.OE). */
int uart_rx_byte(void);
uint64_t uart_rx_overruns(void);

#endif
