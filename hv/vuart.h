/*
 * The 16550 UART each guest sees at COM1 (0x3F8-0x3FF). Output is collected per
 * guest and printed on the real console one whole line at a time, prefixed
 * with the guest's name. The transmitter always reports empty.
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
};

void vuart_init(struct vuart *u, const char *name);
uint8_t vuart_read(struct vuart *u, unsigned offset);
void vuart_write(struct vuart *u, unsigned offset, uint8_t value);
/* Print a partial last line (at guest end). */
void vuart_flush(struct vuart *u);

#endif
