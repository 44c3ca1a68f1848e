/* The virtual UART's interrupt output wired to the guest's I/O APIC pin VUART_GSI (ISA
 * IRQ 4). Slow path only, on the guest's own CPU. */
#ifndef HV_VUART_IRQ_H
#define HV_VUART_IRQ_H

#include "hv/types.h"

struct vcpu;

/* The UART's output as it is now, handed to the I/O APIC (an edge pin delivers when it
 * rises). After every register access with interrupts on (hv/vio.c), when input arrived
 * (VCPU_REQ_RX) and when the transmitter became free again. */
void vuart_irq_sync(struct vcpu *v);
/* A THRE interrupt the guest waits for (the console had no room): raised once it has. */
void vuart_irq_tx_poll(struct vcpu *v);
/* Could input ever interrupt the guest (ERBFI, OUT2, the I/O APIC pin unmasked)? A HLT
 * with only that armed is a guest waiting for the keyboard, not a guest that can never
 * wake (hv/vintr.c). */
bool vuart_irq_can_wake(const struct vcpu *v);

#endif
