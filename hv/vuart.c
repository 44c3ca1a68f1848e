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
#define LSR_DR 0x01
#define LSR_OE 0x02
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define IIR_NO_INT 0x01
#define IIR_LINE_STATUS 0x06
#define IIR_RX_DATA 0x04
#define IIR_THRE 0x02
#define IIR_FIFOS_ON 0xc0
#define FCR_FIFO_ENABLE 0x01
#define FCR_CLEAR_RX 0x02
/* MSR (PC16550D 8.6.8): CTS 4, DSR 5, RI 6, DCD 7. In loopback they follow MCR: RTS (1) ->
 * CTS, DTR (0) -> DSR, OUT1 (2) -> RI, OUT2 (3) -> DCD. */
#define MSR_CTS_DSR_DCD 0xb0

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

/* Receive queue (single producer, single consumer; see vuart.h). */
bool vuart_rx_push(struct vuart *u, uint8_t c)
{
	uint32_t head = u->rx_head; /* the producer's own index */
	uint32_t tail = __atomic_load_n(&u->rx_tail, __ATOMIC_ACQUIRE);
	if (head - tail >= VUART_RXQ) {
		__atomic_add_fetch(&u->rx_overflow, 1, __ATOMIC_RELAXED);
		return false;
	}
	u->rxq[head % VUART_RXQ] = c;
	__atomic_store_n(&u->rx_head, head + 1, __ATOMIC_RELEASE);
	return true;
}

static bool loopback(const struct vuart *u)
{
	return u->mcr & VUART_MCR_LOOP;
}

static bool rx_ready(const struct vuart *u)
{
	if (loopback(u))
		return u->loop_n != 0;
	return __atomic_load_n(&u->rx_head, __ATOMIC_ACQUIRE) != u->rx_tail;
}

static uint8_t rx_pop(struct vuart *u)
{
	if (loopback(u)) {
		if (u->loop_n) {
			u->rbr = u->loopq[0];
			memmove(u->loopq, u->loopq + 1, --u->loop_n);
		}
		return u->rbr;
	}
	uint32_t tail = u->rx_tail;
	if (__atomic_load_n(&u->rx_head, __ATOMIC_ACQUIRE) != tail) {
		u->rbr = u->rxq[tail % VUART_RXQ];
		__atomic_store_n(&u->rx_tail, tail + 1, __ATOMIC_RELEASE);
	}
	return u->rbr;
}

/* FCR bit 1: the receive FIFO is emptied (the consumer may move its own index). */
static void rx_clear(struct vuart *u)
{
	u->loop_n = 0;
	__atomic_store_n(&u->rx_tail, __atomic_load_n(&u->rx_head, __ATOMIC_ACQUIRE), __ATOMIC_RELEASE);
}

/* A queue overflow the guest has not yet been told of becomes LSR.OE. */
static void note_overrun(struct vuart *u)
{
	uint64_t n = __atomic_load_n(&u->rx_overflow, __ATOMIC_RELAXED);
	if (n != u->rx_overflow_seen) {
		u->rx_overflow_seen = n;
		u->oe = true;
	}
}

/* The transmitter is free while the guest's console share has room for a line. */
static bool tx_room(void)
{
	return console_guest_room();
}

/* The highest-priority pending interrupt's IIR bits 3:0 (PC16550D table 4). */
static uint8_t iir_id(struct vuart *u)
{
	note_overrun(u);
	if ((u->ier & VUART_IER_ELSI) && u->oe)
		return IIR_LINE_STATUS;
	if ((u->ier & VUART_IER_ERBFI) && rx_ready(u))
		return IIR_RX_DATA;
	if ((u->ier & VUART_IER_ETBEI) && u->thre_ip)
		return IIR_THRE;
	return IIR_NO_INT;
}

bool vuart_irq_line(struct vuart *u)
{
	return (u->mcr & VUART_MCR_OUT2) && !loopback(u) && iir_id(u) != IIR_NO_INT;
}

/* THR just took a byte, or ETBEI was just set: THRE is (re)asserted at once when the
 * transmitter is free (our bytes leave immediately), else once the console has room. */
static void thre_check(struct vuart *u)
{
	if (!(u->ier & VUART_IER_ETBEI))
		return;
	if (tx_room())
		u->thre_ip = true;
	else
		u->tx_wait = true;
}

void vuart_tx_poll(struct vuart *u)
{
	if (u->tx_wait && (u->ier & VUART_IER_ETBEI) && tx_room()) {
		u->tx_wait = false;
		u->thre_ip = true;
	}
}

static uint8_t read_lsr(struct vuart *u)
{
	/* A guest polling LSR (for input, or for room) keeps queued console lines moving:
	 * otherwise, with every other CPU halted or polling too, a line half written to the
	 * UART would wait for the next slow exit somewhere (hv/console.h). One relaxed load
	 * when nothing is queued. */
	if (console_pending())
		console_drain();
	note_overrun(u);
	uint8_t lsr = rx_ready(u) ? LSR_DR : 0;
	if (u->oe)
		lsr |= LSR_OE; /* cleared by this read (PC16550D 8.6.3) */
	u->oe = false;
	/* Transmitter empty while the guest's share of the console has room for a line; busy
	 * otherwise, as a real UART is while it sends (hv/console.h). */
	if (tx_room())
		lsr |= LSR_THRE | LSR_TEMT;
	else if (u->ier & VUART_IER_ETBEI)
		u->tx_wait = true;
	return lsr;
}

static uint8_t read_msr(const struct vuart *u)
{
	if (!loopback(u))
		return MSR_CTS_DSR_DCD; /* CTS, DSR, DCD asserted */
	uint8_t m = u->mcr;
	return (uint8_t)(((m & 0x02) << 3) | ((m & 0x01) << 5) | ((m & 0x04) << 4) | ((m & 0x08) << 4));
}

uint8_t vuart_read(struct vuart *u, unsigned offset)
{
	bool dlab = u->lcr & LCR_DLAB;
	switch (offset) {
	case REG_DATA:
		if (dlab)
			return u->dll;
		__atomic_store_n(&u->reads, true, __ATOMIC_RELAXED);
		return rx_pop(u);
	case REG_IER:
		return dlab ? u->dlm : u->ier;
	case REG_IIR: {
		uint8_t id = iir_id(u);
		if (id == IIR_THRE)
			u->thre_ip = false; /* reading IIR while THRE is its source clears it */
		return id | (u->fifo_on ? IIR_FIFOS_ON : 0);
	}
	case REG_LCR:
		return u->lcr;
	case REG_MCR:
		return u->mcr;
	case REG_LSR:
		return read_lsr(u);
	case REG_MSR:
		return read_msr(u);
	default:
		return u->scr;
	}
}

static void write_thr(struct vuart *u, uint8_t value)
{
	u->thre_ip = false; /* writing THR clears THRE (table 4) ... */
	if (loopback(u)) {
		if (u->loop_n < VUART_LOOP_FIFO)
			u->loopq[u->loop_n++] = value;
		else
			u->oe = true;
	} else {
		put_char(u, value);
	}
	thre_check(u); /* ... and the byte leaves at once */
}

void vuart_write(struct vuart *u, unsigned offset, uint8_t value)
{
	bool dlab = u->lcr & LCR_DLAB;
	switch (offset) {
	case REG_DATA:
		if (dlab)
			u->dll = value;
		else
			write_thr(u, value);
		break;
	case REG_IER:
		if (dlab) {
			u->dlm = value;
			break;
		}
		if (value & VUART_IER_ERBFI)
			__atomic_store_n(&u->reads, true, __ATOMIC_RELAXED);
		/* ETBEI going 0 -> 1 with the transmitter empty raises THRE (Linux's
		 * UART_BUG_THRE and UART_BUG_TXEN probes rely on it). */
		bool etbei_on = (value & VUART_IER_ETBEI) && !(u->ier & VUART_IER_ETBEI);
		u->ier = value & 0x0f;
		if (!(u->ier & VUART_IER_ETBEI))
			u->tx_wait = false;
		if (etbei_on)
			thre_check(u);
		break;
	case REG_IIR: /* FCR */
		u->fifo_on = value & FCR_FIFO_ENABLE;
		if (value & FCR_CLEAR_RX)
			rx_clear(u);
		break;
	case REG_LCR:
		u->lcr = value;
		break;
	case REG_MCR:
		u->mcr = value & 0x1f;
		if (!loopback(u))
			u->loop_n = 0;
		break;
	case REG_SCR:
		u->scr = value;
		break;
	default: /* LSR, MSR: read-only */
		break;
	}
}
