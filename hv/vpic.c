/* The 8259A pair, masked and idle (see hv/vpic.h; Intel 8259A data sheet). */
#include "hv/vpic.h"

void vpic_init(struct vpic *p)
{
	*p = (struct vpic){ 0 };
	p->chip[0].imr = p->chip[1].imr = 0xff;
}

static struct vpic_chip *chip_of(struct vpic *p, uint16_t port)
{
	return &p->chip[(port >> 7) & 1];
}

uint8_t vpic_read(struct vpic *p, uint16_t port)
{
	struct vpic_chip *c = chip_of(p, port);
	if (port & 1) /* A0 = 1: the IMR (data sheet, "Reading the 8259A Status") */
		return c->imr;
	if (c->poll) {
		/* Poll command: the next read returns I7-I0 = 0 with bit 7 clear, "no
		 * interrupt requested"; it is a one-shot ("Poll Command"). */
		c->poll = false;
		return 0;
	}
	return 0; /* IRR or ISR (c->read_isr): nothing is ever requested or in service */
}

/* A0 = 0 with D4 = 1: ICW1 starts the initialization sequence. It clears the IMR, sets
 * "read IRR" and leaves special mask mode; ICW2 follows, then ICW3 unless SNGL, then
 * ICW4 if IC4 ("Initialization Command Words"). */
static void write_icw1(struct vpic_chip *c, uint8_t val)
{
	c->imr = 0;
	c->next_icw = 2;
	c->icw4 = val & 1;
	c->single = val & 2;
	c->read_isr = false;
	c->poll = false;
}

static void write_data(struct vpic_chip *c, uint8_t val)
{
	switch (c->next_icw) {
	case 2: /* ICW2: vector base; nothing is ever delivered through it */
		c->next_icw = !c->single ? 3 : c->icw4 ? 4 : 0;
		return;
	case 3: /* ICW3: cascade wiring */
		c->next_icw = c->icw4 ? 4 : 0;
		return;
	case 4: /* ICW4: 8086 mode, auto-EOI, buffered mode: no effect on an idle chip */
		c->next_icw = 0;
		return;
	default: /* OCW1 */
		c->imr = val;
	}
}

void vpic_write(struct vpic *p, uint16_t port, uint8_t val)
{
	struct vpic_chip *c = chip_of(p, port);
	if (port & 1) {
		write_data(c, val);
	} else if (val & 0x10) {
		write_icw1(c, val);
	} else if (val & 0x08) {
		/* OCW3: P (bit 2) = poll; RR (bit 1) with RIS (bit 0) selects IRR/ISR reads;
		 * ESMM/SMM (bits 6-5) set special mask mode, meaningless with nothing pending. */
		if (val & 4)
			c->poll = true;
		if (val & 2)
			c->read_isr = val & 1;
	}
	/* else OCW2: EOI, specific EOI, rotation, set priority: nothing is in service,
	 * so there is nothing to end or reorder. */
}
