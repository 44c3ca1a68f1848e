/*
 * A module whose command line has a token "crc32=XXXXXXXX" (8 hex digits) must have
 * exactly those contents: its CRC-32 (IEEE 802.3, as zlib and gzip compute it: reflected
 * polynomial 0xEDB88320, initial value and final XOR 0xFFFFFFFF) is compared with it. The
 * PXE test (tests/emu/run_all.sh, pxe-large-module) computes it for a module it generates,
 * proving the module arrived over TFTP intact.
 */
#include "selftest.h"
#include "printf.h"

static uint32_t crc_table[256];

static void crc_table_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
}

static uint32_t crc32(const uint8_t *p, uint32_t n)
{
	uint32_t c = 0xFFFFFFFFu;
	if (!crc_table[1])
		crc_table_init();
	while (n--)
		c = crc_table[(c ^ *p++) & 0xff] ^ (c >> 8);
	return c ^ 0xFFFFFFFFu;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The value of a "crc32=" token in s; false when there is none (or it is malformed). */
static bool crc_wanted(const char *s, uint32_t *want)
{
	static const char key[] = "crc32=";
	for (const char *t = s; *t; t++) {
		if (t != s && t[-1] != ' ')
			continue;
		int k = 0;
		while (key[k] && t[k] == key[k])
			k++;
		if (key[k])
			continue;
		uint32_t v = 0;
		for (int i = 0; i < 8; i++) {
			int d = hex_digit(t[k + i]);
			if (d < 0)
				return false;
			v = v << 4 | (uint32_t)d;
		}
		if (t[k + 8] && t[k + 8] != ' ')
			return false;
		*want = v;
		return true;
	}
	return false;
}

void check_module_crc(uint32_t index, const struct mb_module *m)
{
	const char *s = m->string ? (const char *)mb_ptr(m->string) : "";
	uint32_t want, got;
	if (!crc_wanted(s, &want))
		return;
	got = crc32(mb_ptr(m->mod_start), m->mod_end - m->mod_start);
	printf("selftest: module %u: %u bytes, crc32 %08x\n", index, m->mod_end - m->mod_start, got);
	check_eq(got, want, "modules: contents match the crc32= on their command line");
}
