/* Calendar arithmetic for the RTC: seconds since 1970-01-01 00:00 to a date and back
 * (proleptic Gregorian calendar, no leap seconds). Pure functions, host-tested. */
#ifndef HV_RTC_TIME_H
#define HV_RTC_TIME_H

#include "hv/types.h"

struct rtc_date {
	uint32_t year;                  /* e.g. 2026 */
	uint8_t month, day;             /* 1-12, 1-31 */
	uint8_t hour, minute, second;   /* 0-23, 0-59, 0-59 */
	uint8_t weekday;                /* 1 = Sunday .. 7 = Saturday (MC146818 register 6) */
};

/* Days from 1970-01-01 to year-month-day (month 1-12, day 1-31); year >= 1970. */
uint64_t rtc_days_from_civil(uint32_t year, unsigned month, unsigned day);
void rtc_date_from_seconds(uint64_t seconds, struct rtc_date *d);

#endif
