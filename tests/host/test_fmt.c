#include <string.h>
#include "hv/fmt.h"
#include "tests/host/harness.h"

static const char *f(const char *fmt, ...)
{
	static char buf[128];
	va_list ap;
	va_start(ap, fmt);
	hv_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return buf;
}

TEST(fmt_integers)
{
	CHECK(!strcmp(f("%d %i %u", -5, 7, 4000000000u), "-5 7 4000000000"));
	CHECK(!strcmp(f("%x %X %08x", 0xbeef, 0xbeef, 0x12), "beef BEEF 00000012"));
	CHECK(!strcmp(f("%llx %lu %zu", 0x1234567890abcdefull, 42ul, (size_t)9), "1234567890abcdef 42 9"));
	CHECK(!strcmp(f("%5d|%-5d|%05d", -3, 3, -3), "   -3|3    |-0003"));
	CHECK(!strcmp(f("%lld", (long long)-9223372036854775807ll - 1), "-9223372036854775808"));
	CHECK(!strcmp(f("%hhx %hx", 0x1ff, 0x1ffff), "ff ffff"));
}

TEST(fmt_strings_and_truncation)
{
	char small[6];
	CHECK(!strcmp(f("[%s|%-4s|%4s|%c]", "ab", "ab", "ab", 'z'), "[ab|ab  |  ab|z]"));
	CHECK(!strcmp(f("%s", (char *)0), "(null)"));
	CHECK(!strcmp(f("100%%"), "100%"));
	CHECK_EQ(hv_snprintf(small, sizeof(small), "hello world"), 11);
	CHECK(!strcmp(small, "hello"));
	CHECK_EQ(hv_snprintf(NULL, 0, "%d", 12345), 5);
}

TEST(fmt_escape_non_printable)
{
	char buf[32], small[8];
	CHECK_EQ(hv_escape(buf, sizeof(buf), "plain ~text!"), 12);
	CHECK(!strcmp(buf, "plain ~text!"));
	CHECK_EQ(hv_escape(buf, sizeof(buf), "a\x1b[2Jb\x7f\xc3\xa9\t\r\n"), 33);
	CHECK(!strcmp(buf, "a\\x1b[2Jb\\x7f\\xc3\\xa9\\x09\\x0d"));
	/* An escape is never cut in half, and nothing follows a cut. */
	CHECK_EQ(hv_escape(small, sizeof(small), "ab\x01z"), 7);
	CHECK(!strcmp(small, "ab\\x01z"));
	CHECK_EQ(hv_escape(small, 6, "ab\x01z"), 7);
	CHECK(!strcmp(small, "ab"));
	CHECK_EQ(hv_escape(small, 1, "\x80"), 4);
	CHECK(!strcmp(small, ""));
	CHECK_EQ(hv_escape(NULL, 0, "\x80x"), 5);
}
