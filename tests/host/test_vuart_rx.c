/* hv/vuart.c receive side and interrupts (PC16550D data sheet; what Linux's 8250 driver
 * probes at autoconfig and startup), and its line into the guest's I/O APIC. */
#include "hv/console.h"
#include "hv/log.h"
#include "hv/vintr.h"
#include "hv/vio.h"
#include "hv/vuart_irq.h"
#include "tests/host/fake_arch.h"
#include "tests/host/harness.h"

#define RBR 0
#define IER 1
#define IIR 2
#define FCR 2
#define LCR 3
#define MCR 4
#define LSR 5
#define MSR 6

static uint8_t in(struct vuart *u, unsigned r)
{
	return vuart_read(u, r);
}

static void out(struct vuart *u, unsigned r, uint8_t v)
{
	vuart_write(u, r, v);
}

/* autoconfig() and autoconfig_16550a() of drivers/tty/serial/8250/8250_port.c, step by
 * step: the chip must come out as a plain 16550A with a 16-byte FIFO. */
TEST(vuart_linux_8250_autoconfig_sees_a_16550a)
{
	struct vuart u;
	vuart_init(&u, "t");
	out(&u, IER, 0); /* IER scratch test */
	CHECK_EQ(in(&u, IER) & 0x0f, 0);
	out(&u, IER, 0x0f);
	CHECK_EQ(in(&u, IER) & 0x0f, 0x0f);
	out(&u, IER, 0);
	out(&u, MCR, 0x10 | 0x0a); /* loopback test: OUT2 -> DCD, RTS -> CTS */
	CHECK_EQ(in(&u, MSR) & 0xf0, 0x90);
	out(&u, MCR, 0x1f);
	CHECK_EQ(in(&u, MSR) & 0xf0, 0xf0);
	out(&u, MCR, 0);
	CHECK_EQ(in(&u, MSR) & 0xf0, 0xb0); /* out of loopback: CTS, DSR, DCD */
	out(&u, LCR, 0xbf); /* EFR write (no EFR: FCR) */
	out(&u, FCR, 0);
	out(&u, LCR, 0);
	out(&u, FCR, 0x01); /* FIFO enable: IIR bits 7:6 = 11 */
	CHECK_EQ(in(&u, IIR) >> 6, 3);
	out(&u, LCR, 0xbf);
	CHECK(in(&u, IIR) != 0); /* "EFR" reads nonzero: no 16650 */
	out(&u, LCR, 0x80);
	CHECK(in(&u, IIR) != 0);
	out(&u, LCR, 0);
	uint8_t mcr = in(&u, MCR);
	out(&u, LCR, 0xe0); /* NS16550A test: offset 2 must not follow MCR.LOOP */
	CHECK(!((in(&u, 2) ^ mcr) & 0x10));
	out(&u, LCR, 0);
	out(&u, FCR, 0x21); /* 16750 test: no 64-byte FIFO */
	CHECK_EQ(in(&u, IIR) >> 5, 6);
	out(&u, LCR, 0x80);
	out(&u, FCR, 0x21);
	CHECK_EQ(in(&u, IIR) >> 5, 6);
	out(&u, LCR, 0);
	out(&u, IER, 0x40); /* IER UUE (XScale) is not there */
	CHECK_EQ(in(&u, IER) & 0x40, 0);
	/* size_fifo(): 256 bytes sent in loopback, what comes back is the FIFO's size. */
	out(&u, FCR, 0x07);
	out(&u, MCR, 0x10);
	for (unsigned i = 0; i < 256; i++)
		out(&u, RBR, (uint8_t)i);
	unsigned count = 0;
	while ((in(&u, LSR) & 1) && count < 256) {
		CHECK_EQ(in(&u, RBR), count);
		count++;
	}
	CHECK_EQ(count, 16);
	out(&u, MCR, 0);
	CHECK_EQ(u.len, 0); /* nothing of it went to the console */
}

TEST(vuart_receive_queue_rbr_lsr_overrun)
{
	struct vuart u;
	vuart_init(&u, "t");
	CHECK(!u.reads);
	CHECK_EQ(in(&u, LSR) & 1, 0);
	CHECK(vuart_rx_push(&u, 'a'));
	CHECK(vuart_rx_push(&u, 'b'));
	CHECK_EQ(in(&u, LSR) & 1, 1);
	CHECK_EQ(in(&u, RBR), 'a');
	CHECK(u.reads); /* it reads its UART: it can have the input focus */
	CHECK_EQ(in(&u, RBR), 'b');
	CHECK_EQ(in(&u, LSR) & 1, 0);
	CHECK_EQ(in(&u, RBR), 'b'); /* nothing new: the last byte again */
	/* Full: the byte is dropped, counted, and LSR.OE says so once. */
	for (unsigned i = 0; i < VUART_RXQ; i++)
		CHECK(vuart_rx_push(&u, (uint8_t)i));
	CHECK(!vuart_rx_push(&u, 'x'));
	CHECK_EQ(u.rx_overflow, 1);
	CHECK_EQ(in(&u, LSR) & 3, 3);
	CHECK_EQ(in(&u, LSR) & 3, 1);
	CHECK_EQ(in(&u, RBR), 0);
	out(&u, FCR, 0x03); /* clear the receive FIFO */
	CHECK_EQ(in(&u, LSR) & 1, 0);
	struct vuart w;
	vuart_init(&w, "w");
	out(&w, IER, 0x01); /* enabling the receive interrupt also counts as reading */
	CHECK(w.reads);
}

/* PC16550D table 4: line status > received data > THRE; reading LSR ends the first,
 * emptying RBR the second, reading IIR (while it shows THRE) or writing THR the third. */
TEST(vuart_iir_priorities)
{
	struct vuart u;
	vuart_init(&u, "t");
	out(&u, FCR, 0x01);
	CHECK_EQ(in(&u, IIR), 0xc1);
	for (unsigned i = 0; i < VUART_RXQ + 1; i++)
		vuart_rx_push(&u, 'z');
	out(&u, IER, 0x07); /* ELSI, ETBEI, ERBFI */
	CHECK_EQ(in(&u, IIR), 0xc6);
	(void)in(&u, LSR);
	CHECK_EQ(in(&u, IIR), 0xc4);
	while (in(&u, LSR) & 1)
		(void)in(&u, RBR);
	CHECK_EQ(in(&u, IIR), 0xc2);
	CHECK_EQ(in(&u, IIR), 0xc1); /* the read that showed THRE cleared it */
	out(&u, RBR, 'q');           /* a THR write: empty again at once, THRE again */
	CHECK_EQ(in(&u, IIR), 0xc2);
	out(&u, IER, 0x01);
	vuart_rx_push(&u, 'y');
	CHECK_EQ(in(&u, IIR), 0xc4);
	out(&u, IER, 0x00);
	CHECK_EQ(in(&u, IIR), 0xc1); /* nothing enabled, nothing pending */
}

/* serial8250_do_startup's UART_BUG_THRE and UART_BUG_TXEN probes: enabling ETBEI with the
 * transmitter empty raises THRE, again after it was cleared and ETBEI toggled. */
TEST(vuart_thre_on_etbei_as_linux_probes_it)
{
	struct vuart u;
	vuart_init(&u, "t");
	CHECK(in(&u, LSR) & 0x60);
	out(&u, IER, 0x02);
	uint8_t iir1 = in(&u, IIR);
	out(&u, IER, 0);
	out(&u, IER, 0x02);
	uint8_t iir = in(&u, IIR);
	out(&u, IER, 0);
	CHECK(!(iir1 & 1));
	CHECK(!(iir & 1)); /* re-asserted: no UART_BUG_THRE */
	out(&u, IER, 0x02);
	CHECK(in(&u, LSR) & 0x40);
	CHECK(!(in(&u, IIR) & 1)); /* no UART_BUG_TXEN */
}

static int the_cpu = 1;
static int cpu_index(void)
{
	return the_cpu;
}
static size_t room;
static size_t device_room(void)
{
	return room;
}
static void discard(const char *s, size_t n)
{
	(void)s;
	(void)n;
}

/* While the guest's console share is full the transmitter is busy and no THRE interrupt
 * comes; once it has room again, THRE does (so Linux with interrupts never stalls). */
TEST(vuart_thre_when_the_console_has_room_again)
{
	struct vcpu *v = fake_vcpu_new(1 << 20);
	console_set_sink(discard);
	console_set_nowait(device_room, discard);
	console_set_cpu_fn(cpu_index);
	console_buffer_this_cpu(true);
	room = 0;
	struct vuart *u = &v->uart;
	int lines = 0;
	while ((in(u, LSR) & 0x20) && lines < 1000) {
		for (const char *c = "a line of output that fills the share\n"; *c; c++)
			out(u, RBR, (uint8_t)*c);
		lines++;
	}
	CHECK(lines < 1000);
	out(u, IER, 0x02);
	CHECK_EQ(in(u, IIR) & 0x0f, 1); /* busy: no THRE */
	CHECK(u->tx_wait);
	vuart_tx_poll(u);
	CHECK_EQ(in(u, IIR) & 0x0f, 1); /* still no room */
	room = 16;
	for (int i = 0; i < 10000 && !console_guest_room(); i++)
		console_drain();
	vuart_tx_poll(u);
	CHECK_EQ(in(u, IIR) & 0x0f, 2);
	CHECK(!u->tx_wait);
	console_buffer_this_cpu(false);
	console_set_cpu_fn(NULL);
	console_set_nowait(NULL, NULL);
	console_set_sink(NULL);
	fake_vcpu_free(v);
}

static bool irr(const struct vcpu *v, unsigned vec)
{
	return v->lapic.irr[vec / 32] & (1u << (vec % 32));
}

static enum exit_action io(struct vcpu *v, bool slow, uint16_t port, bool in8, uint8_t *val)
{
	uint64_t rax = *val;
	enum exit_action a = slow ? vio_access_slow(v, &rax, port, 1, in8)
				  : vio_access(v, &rax, port, 1, in8);
	*val = (uint8_t)rax;
	return a;
}

/* The received-data interrupt reaches the guest's local APIC through I/O APIC pin 4, and
 * with the UART's interrupts on the fast path leaves its accesses to the slow path. */
TEST(vuart_receive_interrupt_through_the_ioapic)
{
	struct vcpu *v = fake_vcpu_new(1 << 20);
	vlapic_mmio_write(&v->lapic, 0xf0, 4, 0x1ff, 0);
	vioapic_mmio_write(&v->ioapic, &v->lapic, 0, 4, 0x10 + 2 * VUART_GSI);
	vioapic_mmio_write(&v->ioapic, &v->lapic, 0x10, 4, 0x34);
	uint8_t b = 0x0b;
	CHECK_EQ(io(v, false, 0x3fc, false, &b), ACT_SKIP); /* MCR: IER = 0, fast path does it */
	CHECK(!vuart_irq_can_wake(v));
	b = 0x01;
	CHECK_EQ(io(v, false, 0x3f9, false, &b), ACT_SKIP); /* IER = ERBFI, still fast */
	CHECK_EQ(v->uart.ier, 1);
	CHECK(vuart_irq_can_wake(v)); /* a HLT now waits for input */
	b = 0;
	CHECK_EQ(io(v, false, 0x3fd, true, &b), ACT_RESUME); /* interrupts on: slow path */
	CHECK_EQ(io(v, false, 0x80, true, &b), ACT_SKIP);    /* other ports stay fast */
	vuart_rx_push(&v->uart, 'k');
	CHECK(!irr(v, 0x34));
	vuart_irq_sync(v); /* what VCPU_REQ_RX does */
	CHECK(irr(v, 0x34));
	vlapic_accept(&v->lapic, 0x34);
	CHECK_EQ(io(v, true, 0x3fa, true, &b), ACT_SKIP);
	CHECK_EQ(b, 0x04); /* IIR: received data */
	CHECK_EQ(io(v, true, 0x3f8, true, &b), ACT_SKIP);
	CHECK_EQ(b, 'k');
	CHECK(!v->uart.irq_out); /* the line went low */
	vlapic_mmio_write(&v->lapic, 0xb0, 4, 0, 0);
	vuart_rx_push(&v->uart, 'l');
	vuart_irq_sync(v);
	CHECK(irr(v, 0x34)); /* a new rising edge */
	/* OUT2 clear: the interrupt never leaves the chip (PC wiring). */
	vlapic_accept(&v->lapic, 0x34);
	vlapic_mmio_write(&v->lapic, 0xb0, 4, 0, 0);
	b = 0x03;
	io(v, true, 0x3fc, false, &b);
	(void)io(v, true, 0x3f8, true, &b);
	vuart_rx_push(&v->uart, 'm');
	vuart_irq_sync(v);
	CHECK(!irr(v, 0x34));
	fake_vcpu_free(v);
}
