/* Calendar arithmetic (see rtc_time.h): the usual era-of-400-years method, in unsigned
 * arithmetic since nothing here lies before 1970. */
#include "hv/rtc_time.h"

/* Days from 0000-03-01 to y-m-d, counting years from March so February is the last month. */
static uint64_t days_from_march0(uint32_t y, unsigned m, unsigned d)
{
	if (m <= 2)
		y--;
	uint64_t era = y / 400, yoe = y % 400;
	uint64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	uint64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe;
}

uint64_t rtc_days_from_civil(uint32_t year, unsigned month, unsigned day)
{
	return days_from_march0(year, month, day) - days_from_march0(1970, 1, 1);
}

void rtc_date_from_seconds(uint64_t seconds, struct rtc_date *d)
{
	uint64_t days = seconds / 86400, rem = seconds % 86400;
	d->hour = (uint8_t)(rem / 3600);
	d->minute = (uint8_t)(rem / 60 % 60);
	d->second = (uint8_t)(rem % 60);
	d->weekday = (uint8_t)((days + 4) % 7 + 1); /* 1970-01-01 was a Thursday (5) */
	uint64_t z = days + days_from_march0(1970, 1, 1);
	uint64_t era = z / 146097, doe = z % 146097;
	uint64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	uint64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	uint64_t mp = (5 * doy + 2) / 153;
	d->day = (uint8_t)(doy - (153 * mp + 2) / 5 + 1);
	d->month = (uint8_t)(mp < 10 ? mp + 3 : mp - 9);
	d->year = (uint32_t)(yoe + era * 400 + (d->month <= 2));
}
