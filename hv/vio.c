/* Guest port I/O dispatch (see vio.h). */
#include "hv/guest_power.h"
#include "hv/io_string.h"
#include "hv/log.h"
#include "hv/platform.h"
#include "hv/vio.h"
#include "hv/vuart_irq.h"

/* Was port p logged as having no device? (Never set for an emulated port.) Inline: for a
 * guest polling a port with nothing behind it (port 0x80) this test is all the exit does. */
static inline bool port_logged(const struct vcpu *v, uint16_t p)
{
	return v->ports_seen && (v->ports_seen[p >> 3] & (1u << (p & 7)));
}

/*
 * Byte i of an access at port that is neither the UART's nor an already-logged port: the
 * 8259 pair, the power registers (hv/guest_power.h), the RTC (hv/vrtc.h), or no device (all ones, write ignored;
 * the access's first port logged once). Reached for i > 0 only for the 8259's ports, so a
 * one-byte access pays no PIC test. A write returns 1 when it ended the guest's run (power
 * off, reset), else 0.
 */
static __attribute__((noinline)) uint8_t other_port(struct vcpu *v, uint16_t port, unsigned i,
						    unsigned size, bool in, uint8_t wval)
{
	uint16_t p = (uint16_t)(port + i);
	if (vpic_port(p)) {
		if (in)
			return vpic_read(&v->pic, p);
		vpic_write(&v->pic, p, wval);
		return 0;
	}
	if (guest_power_port(p))
		return in ? guest_power_read(p) : (uint8_t)guest_power_write(v, p, wval);
	if (vrtc_port(p)) {
		if (in)
			return vrtc_read(&v->rtc, p, platform_rtc_seconds());
		vrtc_write(&v->rtc, p, wval);
		return 0;
	}
	if (i == 0 && v->ports_seen) {
		v->ports_seen[p >> 3] |= (uint8_t)(1u << (p & 7));
		if (log_once_allowed(v)) /* capped per guest (hv/log_once.h) */
			hv_printf("hv: guest %s: no device at I/O port 0x%x (%s, %u byte%s): %s; logged once\n",
				  v->cfg->name, port, in ? "read" : "write", size, size > 1 ? "s" : "",
				  in ? "reads all ones" : "write ignored");
	}
	return in ? 0xff : 0;
}

/* A UART register access on the fast path while the guest has its UART's interrupts on is
 * left to the slow path (nothing done, ACT_RESUME), which does it and hands the UART's new
 * interrupt line to the I/O APIC before the guest runs on: the fast path re-enters the
 * guest without delivering events. The test sits inside the UART branch, so other ports
 * pay nothing (fast is a constant in each inlined copy). */
static inline __attribute__((always_inline)) bool port_read(struct vcpu *v, uint16_t port,
							     unsigned size, bool fast, uint32_t *out)
{
	uint32_t val = 0;
	for (unsigned i = 0; i < size; i++) {
		uint16_t p = (uint16_t)(port + i);
		uint8_t b = 0xff;
		if (p >= VUART_BASE && p < VUART_BASE + VUART_PORTS) {
			if (fast && vuart_interrupts_on(&v->uart))
				return false;
			b = vuart_read(&v->uart, p - VUART_BASE);
		} else if ((i == 0 || vpic_port(p)) && !port_logged(v, p)) {
			b = other_port(v, port, i, size, true, 0);
		}
		val |= (uint32_t)b << (8 * i);
	}
	*out = val;
	return true;
}

static inline __attribute__((always_inline)) enum exit_action
vio_do(struct vcpu *v, uint64_t *rax, uint16_t port, unsigned size, bool in, bool fast)
{
	if (in) {
		uint32_t val;
		if (!port_read(v, port, size, fast, &val))
			return ACT_RESUME;
		/* IN writes AL/AX without touching the rest; IN EAX zero-extends into RAX (SDM vol. 1 3.4.1.1). */
		if (size == 4)
			*rax = val;
		else if (size == 2)
			*rax = (*rax & ~0xffffull) | (val & 0xffff);
		else
			*rax = (*rax & ~0xffull) | (val & 0xff);
		return ACT_SKIP;
	}
	uint32_t val = (uint32_t)*rax & (size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1);
	if (port == EXIT_PORT) {
		vcpu_exit_status(v, val);
		return ACT_STOP;
	}
	for (unsigned i = 0; i < size; i++) {
		uint16_t p = (uint16_t)(port + i);
		if (p >= VUART_BASE && p < VUART_BASE + VUART_PORTS) {
			if (fast && vuart_interrupts_on(&v->uart))
				return ACT_RESUME; /* bytes before it (no device, no PIC) are redone alike */
			vuart_write(&v->uart, p - VUART_BASE, (uint8_t)(val >> (8 * i)));
		} else if ((i == 0 || vpic_port(p)) && !port_logged(v, p)) {
			if (other_port(v, port, i, size, false, (uint8_t)(val >> (8 * i))))
				return ACT_STOP; /* powered off or restarting: the slow path ends the run */
		}
	}
	return ACT_SKIP;
}

enum exit_action vio_handle(struct vcpu *v, const struct vm_exit *e)
{
	if (e->io.string)
		return io_string_exit(v, e);
	return vio_access_slow(v, &v->gprs.rax, e->io.port, e->io.size, e->io.in);
}

enum exit_action vio_access(struct vcpu *v, uint64_t *rax, uint16_t port, unsigned size, bool in)
{
	return vio_do(v, rax, port, size, in, true);
}

enum exit_action vio_access_slow(struct vcpu *v, uint64_t *rax, uint16_t port, unsigned size,
				 bool in)
{
	enum exit_action act = vio_do(v, rax, port, size, in, false);
	bool uart = port < VUART_BASE + VUART_PORTS && port + size > VUART_BASE;
	if (uart && (vuart_interrupts_on(&v->uart) || v->uart.irq_out))
		vuart_irq_sync(v);
	return act;
}
