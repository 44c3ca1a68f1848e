/*
 * The guest's 8259A PIC pair (master at ports 0x20/0x21, slave at 0xA0/0xA1), emulated
 * masked and idle: the guest's ICW1-ICW4 initialization sequence and OCW1 mask writes
 * work and read back, OCW2 (EOI and rotation commands) is accepted, OCW3 selects IRR/ISR
 * reads (always 0) and poll mode (always "no interrupt"). No IRQ is ever raised: the
 * guest's interrupts come from its local APIC (docs/interrupts.md). Intel 8259A data
 * sheet (order no. 231468), "Programming the 8259A".
 */
#ifndef HV_VPIC_H
#define HV_VPIC_H

#include "hv/types.h"

struct vpic_chip {
	uint8_t imr;       /* interrupt mask register (OCW1) */
	uint8_t next_icw;  /* 2, 3 or 4: the data port expects that ICW next; 0: OCW1 */
	bool icw4;         /* ICW1.IC4: an ICW4 follows */
	bool single;       /* ICW1.SNGL: no ICW3 */
	bool read_isr;     /* OCW3 RR/RIS: the command port reads ISR (else IRR) */
	bool poll;         /* OCW3 P: the next command-port read is a poll */
};

struct vpic {
	struct vpic_chip chip[2]; /* master, slave */
};

/* Power-on state as the hypervisor hands it over: both chips fully masked. */
void vpic_init(struct vpic *p);
/* Is port one of 0x20, 0x21, 0xA0, 0xA1? Cheap: port I/O exits test it. */
static inline bool vpic_port(uint16_t port)
{
	return (port & ~0x81u) == 0x20;
}
/* One byte at port (vpic_port(port) must hold). */
uint8_t vpic_read(struct vpic *p, uint16_t port);
void vpic_write(struct vpic *p, uint16_t port, uint8_t val);

#endif
