/*
 * The legacy 8259A pair (ports 0x20/0x21 master, 0xA0/0xA1 slave; Intel 8259A data
 * sheet): the ICW1-ICW4 initialization sequence, OCW1 masks read back from the IMR, an
 * OCW2 non-specific EOI accepted, and nothing pending: OCW3 reads of ISR (and IRR under
 * the hypervisor: on bare metal a device line may be raised behind the mask) are 0 and a
 * poll command finds no interrupt. With every line masked and IF = 1 no vector arrives.
 */
#include "apic.h"
#include "io.h"
#include "report.h"

static void init_pair(void)
{
	outb(0x20, 0x11); /* ICW1: edge, cascade, ICW4 follows */
	outb(0xA0, 0x11);
	outb(0x21, 0x20); /* ICW2: master vectors 0x20-0x27 */
	outb(0xA1, 0x28); /*       slave 0x28-0x2F */
	outb(0x21, 0x04); /* ICW3: slave on IR2 */
	outb(0xA1, 0x02); /*       slave ID 2 */
	outb(0x21, 0x01); /* ICW4: 8086 mode */
	outb(0xA1, 0x01);
}

static uint8_t ocw3_read(uint16_t cmd, uint8_t ocw3)
{
	outb(cmd, ocw3);
	return inb(cmd);
}

void test_pic(void)
{
	init_pair();
	outb(0x21, 0xFB); /* OCW1: all but the cascade line masked */
	outb(0xA1, 0xFF);
	uint8_t m1 = inb(0x21), s1 = inb(0xA1);
	outb(0x21, 0xA5);
	uint8_t m2 = inb(0x21);
	outb(0x21, 0xFF);
	uint8_t m3 = inb(0x21);
	uint8_t irr = ocw3_read(0x20, 0x0A), sirr = ocw3_read(0xA0, 0x0A);
	uint8_t isr = ocw3_read(0x20, 0x0B), sisr = ocw3_read(0xA0, 0x0B);
	outb(0x20, 0x20); /* OCW2: non-specific EOI */
	outb(0xA0, 0x20);
	uint8_t poll = ocw3_read(0x20, 0x0C), spoll = ocw3_read(0xA0, 0x0C);
	note("8259: IMR reads 0x%02x/0x%02x, 0x%02x, 0x%02x; IRR 0x%02x/0x%02x, ISR 0x%02x/0x%02x, "
	     "poll 0x%02x/0x%02x", m1, s1, m2, m3, irr, sirr, isr, sisr, poll, spoll);
	check(m1 == 0xFB && s1 == 0xFF && m2 == 0xA5 && m3 == 0xFF, "pic: IMR reads back the masks written");
	check(isr == 0 && sisr == 0, "pic: nothing in service");
	check(native || (irr == 0 && sirr == 0), "pic: nothing requested (IRR 0)");
	check(!(poll & 0x80) && !(spoll & 0x80), "pic: a poll finds no interrupt");
	outb(0xA1, 0xFF);
	sti();
	spin_us(1000);
	cli();
	check_eq(irqs.total, 0, "pic: no interrupt arrives with every line masked");
}
