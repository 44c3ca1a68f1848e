/*
 * The 16550 UART each guest sees at COM1 (0x3F8-0x3FF). Output is collected per
 * guest and printed on the real console one whole line at a time, prefixed
 * with the guest's name. LSR reports the transmitter empty while the guest's share of
 * the console buffer has room for a line, and busy while it has not, so a guest that
 * polls LSR (as drivers do) waits for the serial line in its own time. A line the
 * console cannot take is dropped and counted; the next line that goes out is preceded
 * by "[NAME] ... N lines dropped (console limit)".
 */
#ifndef HV_VUART_H
#define HV_VUART_H

#include "hv/types.h"

#define VUART_BASE 0x3f8
#define VUART_PORTS 8
#define VUART_LINE_MAX 200

struct vuart {
	const char *name;
	uint32_t len;
	uint8_t ier, lcr, mcr, scr, dll, dlm;
	char line[VUART_LINE_MAX + 1];
	/* Lines the console did not take (hv/console.h: this CPU's share of its ring was
	 * full): in all, and since the last "... N lines dropped" notice. */
	uint64_t dropped, dropped_unreported;
};

void vuart_init(struct vuart *u, const char *name);
uint8_t vuart_read(struct vuart *u, unsigned offset);
void vuart_write(struct vuart *u, unsigned offset, uint8_t value);
/* Print a partial last line and any drop notice still owed (at guest end). */
void vuart_flush(struct vuart *u);

#endif
