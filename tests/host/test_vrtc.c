/* The guest's MC146818 RTC (hv/vrtc.h) and the calendar under it (hv/rtc_time.h). Dates
 * checked against values worked out independently (date -u -d @SECONDS). */
#include <string.h>
#include "hv/rtc_time.h"
#include "hv/vio.h"
#include "tests/host/fake_arch.h"
#include "tests/host/harness.h"

TEST(rtc_calendar_known_dates)
{
	static const struct {
		uint64_t s;
		uint32_t y;
		uint8_t mo, d, h, mi, sec, wday;
	} k[] = {
		{ 0, 1970, 1, 1, 0, 0, 0, 5 },                  /* Thursday */
		{ 951782400, 2000, 2, 29, 0, 0, 0, 3 },         /* leap day of a /400 year, Tuesday */
		{ 4107542399ull, 2100, 2, 28, 23, 59, 59, 1 },  /* 2100 is not a leap year: Sunday */
		{ 4107542400ull, 2100, 3, 1, 0, 0, 0, 2 },
		{ 1796558400ull, 2026, 12, 6, 12, 0, 0, 1 },    /* Sunday */
		{ 1798761599ull, 2026, 12, 31, 23, 59, 59, 5 },
	};
	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		struct rtc_date d;
		rtc_date_from_seconds(k[i].s, &d);
		CHECK_EQ(d.year, k[i].y);
		CHECK_EQ(d.month, k[i].mo);
		CHECK_EQ(d.day, k[i].d);
		CHECK_EQ(d.hour, k[i].h);
		CHECK_EQ(d.minute, k[i].mi);
		CHECK_EQ(d.second, k[i].sec);
		CHECK_EQ(d.weekday, k[i].wday);
		CHECK_EQ(rtc_days_from_civil(k[i].y, k[i].mo, k[i].d) * 86400 + k[i].h * 3600u +
				 k[i].mi * 60u + k[i].sec,
			 k[i].s);
	}
	/* Round trip over every day from 1970 to 2200. */
	for (uint64_t day = 0; day < 84000; day++) {
		struct rtc_date d;
		rtc_date_from_seconds(day * 86400 + 43210, &d);
		CHECK_EQ(rtc_days_from_civil(d.year, d.month, d.day), day);
	}
}

/* A port access through the core's exit handler, as the guest makes it. */
static uint8_t rtc_in(struct vcpu *v, uint8_t index)
{
	struct vm_exit e = fake_exit(EXIT_IO, 1);
	e.io.port = 0x70;
	e.io.size = 1;
	e.io.in = false;
	v->gprs.rax = index;
	hv_handle_exit(v, &e);
	e.io.port = 0x71;
	e.io.in = true;
	hv_handle_exit(v, &e);
	return (uint8_t)v->gprs.rax;
}

static void rtc_out(struct vcpu *v, uint8_t index, uint8_t value)
{
	struct vm_exit e = fake_exit(EXIT_IO, 1);
	e.io.port = 0x70;
	e.io.size = 1;
	v->gprs.rax = index;
	hv_handle_exit(v, &e);
	e.io.port = 0x71;
	v->gprs.rax = value;
	hv_handle_exit(v, &e);
}

TEST(rtc_ports_read_the_host_clock)
{
	struct vcpu *v = fake_vcpu_new(4 << 20);
	fake_rtc_seconds = 1796589296ull; /* 2026-12-06 20:34:56 UTC, a Sunday */
	/* What Linux's mc146818_get_time reads: UIP (A bit 7) clear, then BCD fields, 24 h. */
	CHECK_EQ(rtc_in(v, 0x0a) & 0x80, 0);
	CHECK_EQ(rtc_in(v, 0x0a), 0x26);
	CHECK_EQ(rtc_in(v, 0x0b), 0x02);
	CHECK_EQ(rtc_in(v, 0x00), 0x56);
	CHECK_EQ(rtc_in(v, 0x02), 0x34);
	CHECK_EQ(rtc_in(v, 0x04), 0x20);
	CHECK_EQ(rtc_in(v, 0x06), 0x01);
	CHECK_EQ(rtc_in(v, 0x07), 0x06);
	CHECK_EQ(rtc_in(v, 0x08), 0x12);
	CHECK_EQ(rtc_in(v, 0x09), 0x26);
	CHECK_EQ(rtc_in(v, 0x32), 0x20); /* century */
	CHECK_EQ(rtc_in(v, 0x0c), 0x00);
	CHECK_EQ(rtc_in(v, 0x0d), 0x80); /* VRT: valid RAM and time */
	CHECK_EQ(rtc_in(v, 0x80 | 0x09), 0x26); /* bit 7 of the index is the NMI mask */
	/* The clock moves with the host's. */
	fake_rtc_seconds += 3;
	CHECK_EQ(rtc_in(v, 0x00), 0x59);
	/* Binary, 12-hour mode: 8 PM is 0x88. */
	rtc_out(v, 0x0b, 0x04);
	CHECK_EQ(rtc_in(v, 0x0b), 0x04);
	CHECK_EQ(rtc_in(v, 0x04), 0x88);
	CHECK_EQ(rtc_in(v, 0x00), 59);
	CHECK_EQ(rtc_in(v, 0x09), 26);
	/* Time writes do not move the clock; CMOS RAM and alarms are the guest's own. */
	rtc_out(v, 0x00, 0x11);
	CHECK_EQ(rtc_in(v, 0x00), 59);
	rtc_out(v, 0x01, 0x42);
	rtc_out(v, 0x40, 0xa5);
	CHECK_EQ(rtc_in(v, 0x01), 0x42);
	CHECK_EQ(rtc_in(v, 0x40), 0xa5);
	/* No "no device" log line for the RTC's ports. */
	CHECK(!(v->ports_seen[0x70 >> 3] & (1 << (0x70 & 7))));
	CHECK(!(v->ports_seen[0x71 >> 3] & (1 << (0x71 & 7))));
	fake_vcpu_free(v);
}
