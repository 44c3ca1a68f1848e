/* The guest's MC146818 real-time clock (see vrtc.h). */
#include "hv/lib.h"
#include "hv/rtc_time.h"
#include "hv/vrtc.h"

enum {
	RTC_SEC = 0, RTC_MIN = 2, RTC_HOUR = 4, RTC_WDAY = 6, RTC_MDAY = 7, RTC_MONTH = 8,
	RTC_YEAR = 9, RTC_A = 0x0a, RTC_B = 0x0b, RTC_C = 0x0c, RTC_D = 0x0d,
};
#define REG_A_VALUE 0x26 /* DV2-0 = 010 (32.768 kHz), RS3-0 = 0110 (1024 Hz), UIP = 0 */
#define REG_B_SET BIT(7)
#define REG_B_DM_BINARY BIT(2)
#define REG_B_24H BIT(1)
#define REG_B_DEFAULT REG_B_24H /* BCD, 24-hour: what PC firmware leaves */
#define REG_D_VRT BIT(7)

void vrtc_init(struct vrtc *r)
{
	memset(r, 0, sizeof(*r));
	r->reg_b = REG_B_DEFAULT;
}

static uint8_t encode(const struct vrtc *r, unsigned v)
{
	return (uint8_t)(r->reg_b & REG_B_DM_BINARY ? v : (v / 10) << 4 | v % 10);
}

static uint8_t hour_reg(const struct vrtc *r, unsigned h)
{
	if (r->reg_b & REG_B_24H)
		return encode(r, h);
	/* 12-hour mode: 12, 1..11, with bit 7 set for PM (data sheet, table "time, calendar
	 * and alarm data modes"). */
	unsigned h12 = h % 12 ? h % 12 : 12;
	return (uint8_t)(encode(r, h12) | (h >= 12 ? 0x80 : 0));
}

uint8_t vrtc_read(struct vrtc *r, uint16_t port, uint64_t now)
{
	if (port == VRTC_INDEX_PORT)
		return 0xff; /* the index register is write-only */
	struct rtc_date d;
	rtc_date_from_seconds(now, &d);
	switch (r->index) {
	case RTC_SEC: return encode(r, d.second);
	case RTC_MIN: return encode(r, d.minute);
	case RTC_HOUR: return hour_reg(r, d.hour);
	case RTC_WDAY: return encode(r, d.weekday);
	case RTC_MDAY: return encode(r, d.day);
	case RTC_MONTH: return encode(r, d.month);
	case RTC_YEAR: return encode(r, d.year % 100);
	case VRTC_CENTURY: return encode(r, d.year / 100 % 100);
	case RTC_A: return REG_A_VALUE;
	case RTC_B: return r->reg_b;
	case RTC_C: return 0;
	case RTC_D: return REG_D_VRT;
	default: return r->ram[r->index];
	}
}

void vrtc_write(struct vrtc *r, uint16_t port, uint8_t value)
{
	if (port == VRTC_INDEX_PORT) {
		r->index = value & 0x7f; /* bit 7 masks NMIs on a PC: the guest has none to mask */
		return;
	}
	switch (r->index) {
	case RTC_SEC: case RTC_MIN: case RTC_HOUR: case RTC_WDAY: case RTC_MDAY:
	case RTC_MONTH: case RTC_YEAR: case VRTC_CENTURY: case RTC_A: case RTC_C: case RTC_D:
		return; /* the host's clock: read only (vrtc.h); A's rates, C and D are fixed */
	case RTC_B:
		r->reg_b = value;
		return;
	default:
		r->ram[r->index] = value;
	}
}
