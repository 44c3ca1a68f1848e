/*
 * The serial port the gdb stub talks on (drivers/gdb_com2.c): COM2, I/O port 0x2F8, 115200
 * 8N1, FIFOs on. Output waits for the transmitter (the stub's replies are written by the
 * stopped guest's CPU, which has nothing else to do); input is read without waiting, by the
 * stub loop and by the receive interrupt's handler (arch/x86/gdb_irq.c).
 */
#ifndef HV_GDB_PORT_H
#define HV_GDB_PORT_H

#include "hv/types.h"

#define GDB_COM2_PORT 0x2f8
#define GDB_COM2_ISA_IRQ 3

/* Program the UART; false when nothing answers at the port (its scratch register does not
 * keep a value, or every register reads all ones). */
bool gdb_port_init(void);
/* One received byte, or -1 when none is waiting. */
int gdb_port_rx(void);
void gdb_port_tx(const char *s, size_t n);
/* Let the UART raise its receive interrupt (IER.ERBFI, MCR.OUT2). */
void gdb_port_rx_irq_enable(void);

#endif
