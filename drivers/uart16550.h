/* The 16550 UART the hypervisor itself prints on (COM1, polled, no interrupts). */
#ifndef DRIVERS_UART16550_H
#define DRIVERS_UART16550_H

#include "hv/types.h"

#define COM1_PORT 0x3f8

void uart_init(uint16_t port, uint32_t baud);
/* Write n bytes, turning "\n" into "\r\n" for terminals. */
void uart_write(const char *s, size_t n);

#endif
