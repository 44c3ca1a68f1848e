/*
 * echo: reads lines from COM1 and says each back ("echo: got 'LINE'"), for the serial
 * console input tests (tests/emu: console-input; README "Serial console"). mode=poll reads
 * RBR whenever LSR.DR is set; mode=irq programs its I/O APIC (0xFEC00000, pin 4), its local
 * APIC and the UART's receive interrupt (IER.ERBFI, MCR.OUT2) and waits with HLT; the
 * handler drains RBR while IIR says data is there and ends the interrupt with an EOI.
 * word=W: the guest passes when a line equal to W arrives; a line "fail" fails it.
 * At start it says how often it has been restarted (CPUID 0x40000001 EDX) and whether its data
 * are as in its image: the monitor's `restart NAME` must load the image again (README
 * "Debugging"), so a restarted echo fails if it finds its own mark from the run before.
 */
#include "cmdline.h"
#include "cpu.h"
#include "io.h"
#include "printf.h"
#include "serial.h"
#include "string.h"
#include "trap.h"

const char guest_name[] = "echo";

#define UART_RBR 0
#define UART_IER 1
#define UART_IIR 2
#define UART_FCR 2
#define UART_MCR 4
#define LSR_DR 0x01
#define IIR_NO_INT 0x01
#define IIR_ID 0x0e
#define IIR_RX 0x04

#define IOAPIC ((volatile uint32_t *)0xfec00000)
#define LAPIC ((volatile uint32_t *)0xfee00000)
#define LAPIC_EOI (0xb0 / 4)
#define LAPIC_SVR (0xf0 / 4)
#define IRQ_VECTOR 0x34

/* Bytes the handler took, for the main loop (single producer: the handler). */
static volatile uint8_t ring[256];
static volatile uint32_t ring_head, ring_tail;
static volatile uint32_t interrupts;
/* As the image has it (.data) until this run spoils it. */
#define IMAGE_FRESH 0x1ae5f7e5u
static volatile uint32_t image_mark = IMAGE_FRESH;

static uint32_t ioapic_read(uint32_t reg)
{
	IOAPIC[0] = reg;
	return IOAPIC[4]; /* IOWIN at 0x10 */
}

static void ioapic_write(uint32_t reg, uint32_t v)
{
	IOAPIC[0] = reg;
	IOAPIC[4] = v;
}

void echo_irq(void);
void echo_irq(void)
{
	interrupts++;
	uint8_t iir;
	while (!((iir = inb(COM1_BASE + UART_IIR)) & IIR_NO_INT)) {
		if ((iir & IIR_ID) == IIR_RX || (iir & IIR_ID) == 0x0c) {
			while (inb(COM1_BASE + UART_LSR) & LSR_DR) {
				uint8_t c = inb(COM1_BASE + UART_RBR);
				if (ring_head - ring_tail < sizeof(ring))
					ring[ring_head++ % sizeof(ring)] = c;
			}
		}
	}
	LAPIC[LAPIC_EOI] = 0;
}

extern char echo_irq_stub[];

/* The I/O APIC must look like an 82093AA with 24 pins, ID 1 (hv/vioapic.h). */
static bool setup_irq(void)
{
	uint32_t ver = ioapic_read(1), id = ioapic_read(0);
	printf("echo: I/O APIC id 0x%08x version 0x%08x\n", id, ver);
	if ((ver & 0xff) != 0x11 || ((ver >> 16) & 0xff) != 23 || (id >> 24) != 1)
		return false;
	trap_set_gate(IRQ_VECTOR, (uint32_t)echo_irq_stub, 0);
	LAPIC[LAPIC_SVR] = 0x1ff;                 /* software-enabled, spurious vector 0xFF */
	ioapic_write(0x10 + 2 * 4 + 1, 0);          /* destination: APIC ID 0 */
	ioapic_write(0x10 + 2 * 4, IRQ_VECTOR);     /* fixed, physical, edge, high, unmasked */
	outb(COM1_BASE + UART_FCR, 0x07);           /* FIFOs on and cleared */
	outb(COM1_BASE + UART_MCR, 0x0b);           /* DTR, RTS, OUT2 (the IRQ gate) */
	outb(COM1_BASE + UART_IER, 0x01);           /* received data available */
	return true;
}

static int next_byte_poll(void)
{
	while (!(inb(COM1_BASE + UART_LSR) & LSR_DR))
		__asm__ volatile("pause");
	return inb(COM1_BASE + UART_RBR);
}

static int next_byte_irq(void)
{
	for (;;) {
		__asm__ volatile("cli");
		if (ring_tail != ring_head) {
			uint8_t c = ring[ring_tail++ % sizeof(ring)];
			__asm__ volatile("sti");
			return c;
		}
		__asm__ volatile("sti; hlt"); /* the interrupt ends the HLT */
	}
}

uint32_t guest_main(uint32_t magic, const struct mb_info *mbi)
{
	(void)magic;
	(void)mbi;
	bool fresh = image_mark == IMAGE_FRESH;
	image_mark = 0;
	printf("echo: start after %u restarts (CPUID 0x40000001 EDX), data %s\n",
	       cpuid(0x40000001u, 0).edx, fresh ? "as in the image" : "left from a run before");
	if (!fresh)
		return EXIT_FAIL;
	const char *m = cmdline_value("mode");
	bool irq = m && !strcmp(m, "irq");
	char word[64] = "";
	const char *w = cmdline_value("word");
	if (w)
		memcpy(word, w, strlen(w) + 1);
	if (!irq)
		(void)inb(COM1_BASE + UART_RBR); /* stale input out, as drivers do at start-up */
	if (irq && !setup_irq()) {
		printf("echo: FAIL: the I/O APIC is not the one promised\n");
		return EXIT_FAIL;
	}
	printf("echo: ready (%s), waiting for '%s'\n", irq ? "interrupts" : "polling", word);
	char line[128];
	unsigned n = 0;
	for (;;) {
		int c = irq ? next_byte_irq() : next_byte_poll();
		if (c != '\r' && c != '\n') {
			if (n < sizeof(line) - 1)
				line[n++] = (char)c;
			continue;
		}
		line[n] = 0;
		n = 0;
		printf("echo: got '%s'\n", line);
		if (!strcmp(line, "fail"))
			return EXIT_FAIL;
		if (word[0] && !strcmp(line, word)) {
			if (irq)
				printf("echo: %u receive interrupts\n", interrupts);
			return EXIT_PASS;
		}
	}
}
