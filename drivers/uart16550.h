/* The 16550 UART the hypervisor itself prints on (COM1, polled, no interrupts). */
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

#endif
