/*
 * The guest's real-time clock: a Motorola MC146818 as PCs have it at ports 0x70 (index,
 * bit 7 = NMI mask) and 0x71 (data). Linux reads it once at boot to set its clock and
 * polls register A's update-in-progress bit first (mc146818_get_time): without a clock
 * answering, every Linux guest waited about 10 s of guest time for UIP to clear.
 * The time is the host's RTC as the firmware read it at boot (UEFI GetTime), advanced by
 * the TSC (platform_rtc_seconds): the same for every guest, read only. Register A reads
 * 0x26 (32.768 kHz base, 1024 Hz rate) with UIP always 0: the registers are computed at
 * each read, so no update is ever in progress. Register B's data mode (binary/BCD), 12/24
 * hour and SET bits work; its interrupt enables read back but no interrupt is raised (no
 * IRQ 8: the guest's DSDT lists the clock, PNP0B00, with its ports and no IRQ). Register C reads 0, D reads 0x80 (valid
 * RAM and time). Writes to the time and date registers are ignored (one guest must not
 * move another's clock); the alarm registers, the century byte (0x32, named in the FADT)
 * and the other 114 bytes of CMOS RAM are the guest's own storage.
 * MC146818A data sheet (Motorola, 1984): "Address map", registers A-D.
 */
#ifndef HV_VRTC_H
#define HV_VRTC_H

#include "hv/types.h"

#define VRTC_INDEX_PORT 0x70
#define VRTC_DATA_PORT 0x71
#define VRTC_CENTURY 0x32 /* the century register index the FADT names (ACPI 6.5 5.2.9) */

struct vrtc {
	uint8_t index;   /* last index written, without the NMI-mask bit */
	uint8_t reg_b;
	uint8_t ram[128]; /* alarm registers and CMOS RAM (time registers are computed) */
};

void vrtc_init(struct vrtc *r);
static inline bool vrtc_port(uint16_t p)
{
	return p == VRTC_INDEX_PORT || p == VRTC_DATA_PORT;
}
/* A read of port at the wall-clock time now (seconds since 1970, platform_rtc_seconds). */
uint8_t vrtc_read(struct vrtc *r, uint16_t port, uint64_t now);
void vrtc_write(struct vrtc *r, uint16_t port, uint8_t value);

#endif
