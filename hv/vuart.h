/*
 * The 16550 UART each guest sees at COM1 (0x3F8-0x3FF). Output is collected per
 * guest and printed on the real console one whole line at a time, prefixed
 * with the guest's name. LSR reports the transmitter empty while the guest's share of
 * the console buffer has room for a line, and busy while it has not, so a guest that
 * polls LSR (as drivers do) waits for the serial line in its own time. A line the
 * console cannot take is dropped and counted; the next line that goes out is preceded
 * by "[NAME] ... N lines dropped (console limit)".
 *
 * Input (hv/console_input.h): bytes the console CPU queues (vuart_rx_push) are read through
 * RBR with LSR.DR, with the received-data interrupt when IER.ERBFI is set. Interrupts as a
 * 16550A raises them (PC16550D data sheet, table 4, highest priority first): line status
 * (an overrun: the receive queue was full), received data available, transmitter holding
 * register empty; no modem-status changes ever happen. IIR bits 7:6 = 11 while FCR enables
 * the FIFOs. The interrupt output reaches the guest's IOAPIC pin VUART_GSI when MCR.OUT2 is
 * set (and not in loopback mode), as on PC boards (hv/vuart_irq.c).
 */
#ifndef HV_VUART_H
#define HV_VUART_H

#include "hv/types.h"

#define VUART_BASE 0x3f8
#define VUART_PORTS 8
#define VUART_LINE_MAX 200
#define VUART_RXQ 256  /* receive queue, a power of two */
#define VUART_LOOP_FIFO 16
#define VUART_GSI 4    /* ISA IRQ 4, identity-mapped to the guest IOAPIC's pin 4 */

#define VUART_IER_ERBFI 0x01
#define VUART_IER_ETBEI 0x02
#define VUART_IER_ELSI 0x04
#define VUART_MCR_OUT2 0x08
#define VUART_MCR_LOOP 0x10

struct vuart {
	const char *name;
	uint32_t len;
	uint8_t ier, lcr, mcr, scr, dll, dlm;
	char line[VUART_LINE_MAX + 1];
	/* Lines the console did not take (hv/console.h: this CPU's share of its ring was
	 * full): in all, and since the last "... N lines dropped" notice. */
	uint64_t dropped, dropped_unreported;
	bool fifo_on;  /* FCR bit 0 */
	bool thre_ip;  /* THRE interrupt pending (IIR 0010), cleared by an IIR read that shows it
			* or a THR write */
	bool tx_wait;  /* ETBEI set while the console had no room: THRE to raise once it has */
	bool reads;    /* the guest has read RBR or enabled the receive interrupt (input focus) */
	bool irq_out;  /* the interrupt output as last handed to the IOAPIC (hv/vuart_irq.c) */
	bool oe;       /* overrun to report in LSR bit 1 (and as a line status interrupt) */
	uint8_t rbr;   /* the byte RBR shows when nothing new arrived */
	uint8_t loop_n, loopq[VUART_LOOP_FIFO]; /* MCR.LOOP: what THR sent comes back here */
	/* Receive queue, single producer (the console CPU: rx_head) and single consumer (the
	 * guest's CPU: rx_tail), lock-free. Full: the byte is dropped and counted (rx_overflow,
	 * the producer's), which the guest sees as LSR.OE once (rx_overflow_seen, the
	 * consumer's). */
	uint32_t rx_head, rx_tail;
	uint64_t rx_overflow, rx_overflow_seen;
	uint8_t rxq[VUART_RXQ];
};

void vuart_init(struct vuart *u, const char *name);
uint8_t vuart_read(struct vuart *u, unsigned offset);
void vuart_write(struct vuart *u, unsigned offset, uint8_t value);
/* Print a partial last line and any drop notice still owed (at guest end). */
void vuart_flush(struct vuart *u);

/* Console CPU: queue one received byte; false (dropped, counted) when the queue is full. */
bool vuart_rx_push(struct vuart *u, uint8_t c);
/* The interrupt output: an interrupt is pending in IIR, OUT2 set, not in loopback. */
bool vuart_irq_line(struct vuart *u);
/* The transmitter became free again (the console has room): a THRE interrupt the guest
 * is waiting for (tx_wait) is raised. */
void vuart_tx_poll(struct vuart *u);
/* Does an access need the slow path? Any interrupt enabled: the line may change and the
 * change must reach the guest before it runs on (hv/vio.c). Inline: the fast path asks. */
static inline bool vuart_interrupts_on(const struct vuart *u)
{
	return u->ier != 0;
}

#endif
