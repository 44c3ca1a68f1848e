/*
 * A guest's power controls: the ACPI hardware-reduced sleep and reset registers its FADT
 * names (hv/guest_acpi.c), as I/O ports the hypervisor emulates (hv/vio.c, slow part).
 *
 * ACPI 6.5 4.8.3.7 (Sleep Control and Status Registers): the sleep control register holds
 * SLP_TYPx in bits 4:2 and SLP_EN in bit 5; the sleep status register WAK_STS in bit 7.
 * 4.8.3.6 (Reset Register): writing RESET_VALUE resets the system. The sleep type that
 * means S5 (soft off) is whatever the \_S5 package in the DSDT says (7.4.2.5): here
 * GUEST_SLP_TYP_S5, and S5 is the only sleep state the DSDT offers.
 *
 * S5 ends only that guest, reported "powered off" and counted as passed (a guest that
 * turns itself off has ended normally). RESET_VALUE restarts only that guest
 * (hv/guest_restart.h), reported "rebooted".
 */
#ifndef HV_GUEST_POWER_H
#define HV_GUEST_POWER_H

#include "hv/types.h"

struct vcpu;

#define GUEST_PM_SLEEP_CONTROL_PORT 0x604 /* 8 bits: SLP_TYP 4:2, SLP_EN 5 */
#define GUEST_PM_SLEEP_STATUS_PORT 0x605  /* 8 bits: WAK_STS 7 */
#define GUEST_PM_RESET_PORT 0x606         /* 8 bits: write GUEST_PM_RESET_VALUE */
#define GUEST_PM_RESET_VALUE 0x0e
#define GUEST_SLP_TYP_S5 5

#define SLEEP_CTL_SLP_TYP(v) (((v) >> 2) & 7u)
#define SLEEP_CTL_SLP_EN BIT(5)
#define SLEEP_STS_WAK_STS BIT(7)

enum guest_power_action {
	POWER_NONE,      /* nothing happens */
	POWER_OFF,       /* S5: the guest ends, powered off */
	POWER_RESET,     /* RESET_VALUE: the guest restarts */
	POWER_BAD_SLEEP, /* SLP_EN with a sleep type the DSDT does not offer: ignored, logged */
};

/* Is port one of the power registers? */
static inline bool guest_power_port(uint16_t port)
{
	return port >= GUEST_PM_SLEEP_CONTROL_PORT && port <= GUEST_PM_RESET_PORT;
}

/* The decoding alone (host-tested): what a byte write of value to port means. */
enum guest_power_action guest_power_decode(uint16_t port, uint8_t value);
/* A byte read of a power register: the control and reset registers read 0 (their bits are
 * write-only), the status register 0 (WAK_STS clear: the guest has not been asleep). */
uint8_t guest_power_read(uint16_t port);
/* A byte write by v's guest. Returns 1 when the guest has ended its run (powered off, or
 * restarting: hv/guest_restart.h), else 0. Safe to repeat (the SVM and VMX fast paths
 * hand an access that ends the guest to the slow path, which performs it again). */
int guest_power_write(struct vcpu *v, uint16_t port, uint8_t value);

#endif
