/* Port I/O: the virtual COM1 and the all-ones answer of every unclaimed port. */
#include "selftest.h"
#include "io.h"
#include "serial.h"

void test_uart(const struct selftest_env *env)
{
	(void)env;
	group_begin("uart");
	/* THR empty, at once or after the console took earlier lines (the hypervisor reports
	 * the transmitter busy while this guest's share of its console buffer is full). */
	bool empty = false;
	for (int spin = 0; spin < 100000 && !empty; spin++)
		empty = inb(COM1_BASE + UART_LSR) & UART_LSR_THRE;
	check(empty, "uart: LSR reports THR empty");

	uint8_t saved = inb(COM1_BASE + UART_SCR);
	outb(COM1_BASE + UART_SCR, 0x5A);
	uint8_t a = inb(COM1_BASE + UART_SCR);
	outb(COM1_BASE + UART_SCR, 0xA5);
	uint8_t b = inb(COM1_BASE + UART_SCR);
	outb(COM1_BASE + UART_SCR, saved);
	check_eq(a, 0x5A, "uart: scratch register reads back 0x5A");
	check_eq(b, 0xA5, "uart: scratch register reads back 0xA5");
	group_end();
}

/* Nobody decodes these on the hypervisor's platform. COM2 is absent under QEMU
 * too (given a single -serial); 0x510 is QEMU's fw_cfg selector. */
static const struct {
	uint16_t port;
	bool exists_on_qemu;
	const char *what8, *what16, *what32;
} unused_ports[] = {
	{ 0x2F8, false, "io: 8-bit read of port 0x2F8 is 0xFF", "io: 16-bit read of port 0x2F8 is 0xFFFF",
	  "io: 32-bit read of port 0x2F8 is 0xFFFFFFFF" },
	{ 0x510, true, "io: 8-bit read of port 0x510 is 0xFF", "io: 16-bit read of port 0x510 is 0xFFFF",
	  "io: 32-bit read of port 0x510 is 0xFFFFFFFF" },
};

void test_io(const struct selftest_env *env)
{
	group_begin("io");
	for (unsigned i = 0; i < ARRAY_SIZE(unused_ports); i++) {
		uint16_t p = unused_ports[i].port;
		if (env->native && unused_ports[i].exists_on_qemu) {
			skip(unused_ports[i].what8);
			skip(unused_ports[i].what16);
			skip(unused_ports[i].what32);
			continue;
		}
		check_eq(inb(p), 0xFF, unused_ports[i].what8);
		check_eq(inw(p), 0xFFFF, unused_ports[i].what16);
		check_eq(inl(p), 0xFFFFFFFF, unused_ports[i].what32);
	}

	/* Writes must be swallowed: no crash, and no state that reads back. */
	outb(0x2F8, 0x41);
	outw(0x2F8, 0x4142);
	outl(0x2F8, 0x41424344);
	outb(0x80, 0x55); /* the POST-code port: written by every BIOS */
	check(true, "io: writes to unused ports are ignored without a crash");
	check_eq(inb(0x2F8), 0xFF, "io: port 0x2F8 still reads 0xFF after writes");
	group_end();
}
