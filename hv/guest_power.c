/* The guest's power registers (see guest_power.h). */
#include "hv/guest_power.h"
#include "hv/guest_restart.h"
#include "hv/log.h"
#include "hv/vcpu.h"

enum guest_power_action guest_power_decode(uint16_t port, uint8_t value)
{
	switch (port) {
	case GUEST_PM_SLEEP_CONTROL_PORT:
		/* ACPI 6.5 4.8.3.7: nothing happens until SLP_EN is written as 1. */
		if (!(value & SLEEP_CTL_SLP_EN))
			return POWER_NONE;
		return SLEEP_CTL_SLP_TYP(value) == GUEST_SLP_TYP_S5 ? POWER_OFF : POWER_BAD_SLEEP;
	case GUEST_PM_RESET_PORT:
		/* 4.8.3.6: the reset happens when RESET_VALUE is written; other values do nothing. */
		return value == GUEST_PM_RESET_VALUE ? POWER_RESET : POWER_NONE;
	default:
		return POWER_NONE; /* the status register: writing WAK_STS clears it, and it is clear */
	}
}

uint8_t guest_power_read(uint16_t port)
{
	(void)port;
	return 0;
}

int guest_power_write(struct vcpu *v, uint16_t port, uint8_t value)
{
	switch (guest_power_decode(port, value)) {
	case POWER_OFF:
		/* The first end wins, as in vcpu_stop: a repeat finds it already set. */
		if (v->end.kind == GUEST_RUNNING && !v->restart_due)
			v->end.kind = GUEST_POWERED_OFF;
		return 1;
	case POWER_RESET:
		guest_restart_due(v, "reset register written");
		return 1;
	case POWER_BAD_SLEEP:
		if (!v->sleep_type_logged && log_once_allowed(v)) /* capped per guest */
			hv_printf("hv: guest %s: sleep control register 0x%x written with SLP_TYP %u: "
				  "only %u (S5, soft off) is offered; ignored, logged once\n",
				  v->cfg->name, port, SLEEP_CTL_SLP_TYP(value), GUEST_SLP_TYP_S5);
		v->sleep_type_logged = true;
		return 0;
	default:
		return 0;
	}
}
