/* Emulated 16550 (register model: National Semiconductor PC16550D data sheet). */
#include "hv/console.h"
#include "hv/console_ring.h"
#include "hv/fmt.h"
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

/* A line as emit_line formats it fits the room LSR.THRE promises: "[" name (31 at most)
 * "] " line "\n", and the record header. */
_Static_assert(CONSOLE_GUEST_LINE_ROOM >= CONSOLE_REC_HDR + 1 + 31 + 2 + VUART_LINE_MAX + 1,
	       "LSR.THRE promises room for a whole line");

void vuart_init(struct vuart *u, const char *name)
{
	memset(u, 0, sizeof(*u));
	u->name = name;
	u->dll = 1; /* 115200 baud */
}

/* The line collected so far (with the drop notice owed, if any) as one console record:
 * the two lines go out together or not at all. */
static void emit_line(struct vuart *u, bool line)
{
	char rec[2 * (VUART_LINE_MAX + 64)];
	size_t n = 0;
	if (u->dropped_unreported)
		n = (size_t)hv_snprintf(rec, sizeof(rec), "[%s] ... %llu line%s dropped (console limit)\n",
					u->name, (unsigned long long)u->dropped_unreported,
					u->dropped_unreported == 1 ? "" : "s");
	if (line) {
		u->line[u->len] = 0;
		n += (size_t)hv_snprintf(rec + n, sizeof(rec) - n, "[%s] %s\n", u->name, u->line);
	}
	u->len = 0;
	if (!n)
		return;
	if (console_guest_put(rec, MIN(n, sizeof(rec) - 1))) {
		u->dropped_unreported = 0;
	} else if (line) {
		u->dropped++;
		u->dropped_unreported++;
	}
}

void vuart_flush(struct vuart *u)
{
	emit_line(u, u->len != 0);
}

static void put_char(struct vuart *u, uint8_t c)
{
	if (c == '\n') {
		emit_line(u, true);
		return;
	}
	if (c == '\r')
		return;
	/* A guest must not be able to send control sequences to the operator's terminal. */
	u->line[u->len++] = (c >= 0x20 && c < 0x7f) || c == '\t' ? (char)c : '.';
	if (u->len == VUART_LINE_MAX)
		emit_line(u, true);
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
		/* Transmitter empty while the guest's share of the console has room for a line;
		 * busy otherwise, as a real UART is while it sends (hv/console.h). */
		return console_guest_room() ? LSR_THRE | LSR_TEMT : 0;
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
