/*
 * The guest's DSDT, in AML written byte by byte (ACPI 6.5 chapter 20, AML encoding; the
 * resource descriptors 6.4.2). What it holds, as ASL (iasl -d prints the same):
 *
 *   DefinitionBlock ("", "DSDT", 2, "HVTYPE", "HVGUEST ", 1) {
 *       Scope (\_SB) {
 *           Device (COM1) {
 *               Name (_HID, EisaId ("PNP0501"))  // 16550A-compatible COM port
 *               Name (_UID, One)
 *               Name (_STA, 0x0F)                // present, enabled, shown, working
 *               Name (_CRS, ResourceTemplate () {
 *                   IO (Decode16, 0x03F8, 0x03F8, 0x01, 0x08)
 *                   IRQNoFlags () {4}            // only when an I/O APIC delivers it
 *               })
 *           }
 *           Device (RTC) {
 *               Name (_HID, EisaId ("PNP0B00"))  // AT real-time clock (hv/vrtc.h)
 *               Name (_CRS, ResourceTemplate () {
 *                   IO (Decode16, 0x0070, 0x0070, 0x01, 0x02)
 *               })                               // no IRQ: the clock raises none
 *           }
 *       }
 *       Name (\_S5, Package () { 5, 5 })          // SLP_TYPa, SLP_TYPb (hv/guest_power.h)
 *   }
 *
 * Without an I/O APIC nothing delivers COM1's interrupt, so the _CRS names no IRQ and the
 * guest polls the UART (Linux's 8250 driver does, for a port with no IRQ). The RTC device is
 * how an OS finds the clock on a platform whose FADT says hardware-reduced: Linux's rtc_cmos
 * binds to it (without it, its fallback platform device failed to probe with -22). A DSDT
 * revision of 2 makes integers 64-bit (5.2.11.1).
 */
#include "hv/guest_acpi.h"
#include "hv/guest_power.h"
#include "hv/lib.h"

/* 20.2 AML grammar: the opcodes used here. */
#define AML_ZERO 0x00
#define AML_ONE 0x01
#define AML_NAME 0x08
#define AML_BYTE_PREFIX 0x0a
#define AML_DWORD_PREFIX 0x0c
#define AML_SCOPE 0x10
#define AML_BUFFER 0x11
#define AML_PACKAGE 0x12
#define AML_EXT_PREFIX 0x5b
#define AML_DEVICE 0x82 /* after AML_EXT_PREFIX */
#define AML_ROOT 0x5c   /* '\' */

/* 6.4.2 small resource descriptors: tag byte = (item name << 3) | length. */
#define RES_IRQ_NO_FLAGS 0x22 /* 6.4.2.1 IRQ descriptor, 2 bytes: mask */
#define RES_IO 0x47           /* 6.4.2.5 I/O port descriptor, 7 bytes */
#define RES_END 0x79          /* 6.4.2.9 end tag, 1 byte: checksum (0: none) */

#define COM1_PORT 0x3f8
#define COM1_PORTS 8
#define RTC_PORT 0x70
#define RTC_PORTS 2
/* EisaId("PNP0501") (19.6.35): three letters of 5 bits each ('A' = 1) and four hex digits,
 * stored big-endian in a DWord: 'P' 'N' 'P' = 0x41D0, then 0x0501 -> bytes 41 D0 05 01. */
#define EISAID_PNP0501 0x0105d041u
#define EISAID_PNP0B00 0x000bd041u /* 'P' 'N' 'P', then 0x0B00 */

struct aml {
	uint8_t *p;
	size_t len, max;
	bool overflow;
};

static void put(struct aml *a, const void *src, size_t n)
{
	if (a->overflow || n > a->max - a->len) {
		a->overflow = true;
		return;
	}
	memcpy(a->p + a->len, src, n);
	a->len += n;
}

static void put8(struct aml *a, uint8_t b)
{
	put(a, &b, 1);
}

/* 20.2.4 PkgLength: the length of what follows the opcode, itself included; one byte up
 * to 63, else a lead byte holding the count of extra bytes (6-7) and the low nibble. */
static void put_pkg(struct aml *a, const uint8_t *op, size_t oplen, const struct aml *body)
{
	put(a, op, oplen);
	size_t n = body->len + 1;
	if (n <= 0x3f) {
		put8(a, (uint8_t)n);
	} else if (body->len + 2 <= 0xfff) {
		n = body->len + 2;
		put8(a, (uint8_t)(BIT(6) | (n & 0xf)));
		put8(a, (uint8_t)(n >> 4));
	} else {
		a->overflow = true;
		return;
	}
	put(a, body->p, body->len);
	a->overflow |= body->overflow;
}

static void put_name(struct aml *a, const char seg[4])
{
	put8(a, AML_NAME);
	put(a, seg, 4);
}

static void put_byte_const(struct aml *a, uint8_t v)
{
	put8(a, AML_BYTE_PREFIX);
	put8(a, v);
}

/* Name (_CRS, ResourceTemplate () { IO (Decode16, port, port, 1, len) [IRQNoFlags () {irq}] }):
 * a Buffer whose size is a BytePrefix constant. irq < 0: none. */
static void put_io_crs(struct aml *a, uint16_t port, uint8_t len, int irq)
{
	uint8_t res[16], n = 0;
	res[n++] = RES_IO;
	res[n++] = 0x01; /* Decode16 */
	res[n++] = port & 0xff;
	res[n++] = port >> 8; /* minimum */
	res[n++] = port & 0xff;
	res[n++] = port >> 8; /* maximum */
	res[n++] = 0x01;      /* alignment */
	res[n++] = len;       /* length */
	if (irq >= 0) {
		res[n++] = RES_IRQ_NO_FLAGS;
		res[n++] = (uint8_t)(1u << irq);
		res[n++] = (uint8_t)((1u << irq) >> 8);
	}
	res[n++] = RES_END;
	res[n++] = 0x00;
	uint8_t bbuf[24];
	struct aml b = { bbuf, 0, sizeof(bbuf), false };
	put_byte_const(&b, n);
	put(&b, res, n);
	put_name(a, "_CRS");
	uint8_t op = AML_BUFFER;
	put_pkg(a, &op, 1, &b);
}

/* A Device's body starts: its name, then Name (_HID, EisaId (...)). */
static void device_head(struct aml *d, const char name[4], uint32_t eisaid)
{
	put(d, name, 4);
	put_name(d, "_HID");
	put8(d, AML_DWORD_PREFIX);
	put(d, &eisaid, 4);
}

/* Device (...) { body }: ExtOpPrefix DeviceOp PkgLength body (20.2.5.2). */
static void put_device(struct aml *a, const struct aml *d)
{
	const uint8_t op[2] = { AML_EXT_PREFIX, AML_DEVICE };
	put_pkg(a, op, 2, d);
}

static void put_com1(struct aml *a, bool irq)
{
	uint8_t dbuf[96];
	struct aml d = { dbuf, 0, sizeof(dbuf), false };
	device_head(&d, "COM1", EISAID_PNP0501);
	put_name(&d, "_UID");
	put8(&d, AML_ONE);
	put_name(&d, "_STA");
	put_byte_const(&d, 0x0f);
	put_io_crs(&d, COM1_PORT, COM1_PORTS, irq ? GUEST_COM1_IRQ : -1);
	put_device(a, &d);
}

static void put_rtc(struct aml *a)
{
	uint8_t dbuf[64];
	struct aml d = { dbuf, 0, sizeof(dbuf), false };
	device_head(&d, "RTC_", EISAID_PNP0B00);
	put_io_crs(&d, RTC_PORT, RTC_PORTS, -1);
	put_device(a, &d);
}

size_t guest_acpi_dsdt(uint8_t *buf, size_t max, const struct guest_acpi_params *p)
{
	if (max < sizeof(struct acpi_header))
		return 0;
	struct aml a = { buf, sizeof(struct acpi_header), max, false };

	uint8_t sbuf[128];
	struct aml s = { sbuf, 0, sizeof(sbuf), false };
	const uint8_t sb[4] = { '_', 'S', 'B', '_' };
	put8(&s, AML_ROOT);
	put(&s, sb, 4);
	put_com1(&s, p->ioapic);
	put_rtc(&s);
	uint8_t op = AML_SCOPE;
	put_pkg(&a, &op, 1, &s);

	/* Name (\_S5, Package () { SLP_TYPa, SLP_TYPb }) (7.4.2.5): NumElements, then each. */
	uint8_t kbuf[8];
	struct aml k = { kbuf, 0, sizeof(kbuf), false };
	put8(&k, 2);
	put_byte_const(&k, GUEST_SLP_TYP_S5);
	put_byte_const(&k, GUEST_SLP_TYP_S5);
	put8(&a, AML_NAME);
	put8(&a, AML_ROOT);
	put(&a, "_S5_", 4);
	op = AML_PACKAGE;
	put_pkg(&a, &op, 1, &k);

	if (a.overflow)
		return 0;
	guest_acpi_header((struct acpi_header *)buf, "DSDT", (uint32_t)a.len, 2);
	return a.len;
}
