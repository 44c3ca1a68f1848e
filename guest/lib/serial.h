/* Console output on COM1, the one device both the hypervisor and QEMU give every guest. */
#ifndef GUEST_SERIAL_H
#define GUEST_SERIAL_H

#include <stdbool.h>

#define COM1_BASE 0x3F8
#define UART_THR 0 /* transmit holding register (write) */
#define UART_LSR 5 /* line status register */
#define UART_SCR 7 /* scratch register */
#define UART_LSR_THRE 0x20 /* transmit holding register empty */

void serial_putc(char c);
void serial_write(const char *s);

/* True if the last byte written was '\n' (or nothing was written yet). */
bool serial_at_line_start(void);

/* putchar/puts with their standard meanings, on COM1. */
int putchar(int c);
int puts(const char *s);

#endif
