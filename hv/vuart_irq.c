/* The virtual UART's interrupt into the guest's I/O APIC (see vuart_irq.h). */
#include "hv/vcpu.h"
#include "hv/vioapic.h"
#include "hv/vuart_irq.h"

void vuart_irq_sync(struct vcpu *v)
{
	bool line = vuart_irq_line(&v->uart);
	if (line == v->uart.irq_out)
		return;
	v->uart.irq_out = line;
	vioapic_set_irq(v, VUART_GSI, line);
}

void vuart_irq_tx_poll(struct vcpu *v)
{
	vuart_tx_poll(&v->uart);
	vuart_irq_sync(v);
}

bool vuart_irq_can_wake(const struct vcpu *v)
{
	const struct vuart *u = &v->uart;
	return (u->ier & VUART_IER_ERBFI) && (u->mcr & VUART_MCR_OUT2) &&
	       vioapic_pin_open(&v->ioapic, VUART_GSI);
}
