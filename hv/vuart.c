/* Emulated 16550 (register model: National Semiconductor PC16550D data sheet). */
#include "hv/lib.h"
#include "hv/log.h"
#include "hv/vuart.h"

#define REG_DATA 0 /* THR/RBR, or DLL with LCR.DLAB */
#define REG_IER 1  /* or DLM with LCR.DLAB */
#define REG_IIR 2
#define REG_LCR 3
#define REG_MCR 4
#define REG_LSR 5
#define REG_MSR 6
#define REG_SCR 7
#define LCR_DLAB 0x80
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define IIR_NO_INT 0x01

void vuart_init(struct vuart *u, const char *name)
{
	memset(u, 0, sizeof(*u));
	u->name = name;
	u->dll = 1; /* 115200 baud */
}

void vuart_flush(struct vuart *u)
{
	if (!u->len)
		return;
	u->line[u->len] = 0;
	hv_printf("[%s] %s\n", u->name, u->line);
	u->len = 0;
}

static void put_char(struct vuart *u, uint8_t c)
{
	if (c == '\n') {
		u->line[u->len] = 0;
		hv_printf("[%s] %s\n", u->name, u->line);
		u->len = 0;
		return;
	}
	if (c == '\r')
		return;
	/* A guest must not be able to send control sequences to the operator's terminal. */
	u->line[u->len++] = (c >= 0x20 && c < 0x7f) || c == '\t' ? (char)c : '.';
	if (u->len == VUART_LINE_MAX)
		vuart_flush(u);
}

uint8_t vuart_read(struct vuart *u, unsigned offset)
{
	bool dlab = u->lcr & LCR_DLAB;
	switch (offset) {
	case REG_DATA:
		return dlab ? u->dll : 0; /* no input */
	case REG_IER:
		return dlab ? u->dlm : u->ier;
	case REG_IIR:
		return IIR_NO_INT;
	case REG_LCR:
		return u->lcr;
	case REG_MCR:
		return u->mcr;
	case REG_LSR:
		return LSR_THRE | LSR_TEMT;
	case REG_MSR:
		return 0xb0; /* CTS, DSR, DCD asserted */
	default:
		return u->scr;
	}
}

void vuart_write(struct vuart *u, unsigned offset, uint8_t value)
{
	bool dlab = u->lcr & LCR_DLAB;
	switch (offset) {
	case REG_DATA:
		if (dlab)
			u->dll = value;
		else
			put_char(u, value);
		break;
	case REG_IER:
		if (dlab)
			u->dlm = value;
		else
			u->ier = value & 0x0f;
		break;
	case REG_LCR:
		u->lcr = value;
		break;
	case REG_MCR:
		u->mcr = value & 0x1f;
		break;
	case REG_SCR:
		u->scr = value;
		break;
	default: /* FCR, LSR, MSR: nothing to model */
		break;
	}
}
