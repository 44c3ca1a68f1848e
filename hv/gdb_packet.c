/* The GDB remote protocol's packet layer (see gdb_packet.h). */
#include "hv/gdb_packet.h"

void gdb_rx_reset(struct gdb_rx *r)
{
	r->state = GDB_RX_IDLE;
	r->len = 0;
	r->sum = 0;
	r->overflow = false;
	r->buf[0] = 0;
}

int gdb_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void put_payload(struct gdb_rx *r, char c)
{
	if (r->len >= GDB_PACKET_MAX) {
		r->overflow = true;
		return;
	}
	r->buf[r->len++] = c;
}

enum gdb_rx_event gdb_rx_byte(struct gdb_rx *r, uint8_t c)
{
	switch (r->state) {
	case GDB_RX_IDLE:
		if (c == '$') {
			gdb_rx_reset(r);
			r->state = GDB_RX_DATA;
			return GDB_RX_NONE;
		}
		if (c == 0x03)
			return GDB_RX_INTERRUPT;
		if (c == '+')
			return GDB_RX_ACK;
		if (c == '-')
			return GDB_RX_NAK;
		return GDB_RX_NONE; /* noise between packets */
	case GDB_RX_DATA:
		if (c == '#') {
			r->state = GDB_RX_CSUM1;
			return GDB_RX_NONE;
		}
		if (c == '$') { /* a new packet: the one before was cut short (E.1: resend) */
			gdb_rx_reset(r);
			r->state = GDB_RX_DATA;
			return GDB_RX_NONE;
		}
		r->sum += c;
		if (c == '}')
			r->state = GDB_RX_ESCAPE;
		else
			put_payload(r, (char)c);
		return GDB_RX_NONE;
	case GDB_RX_ESCAPE:
		r->sum += c;
		put_payload(r, (char)(c ^ 0x20));
		r->state = GDB_RX_DATA;
		return GDB_RX_NONE;
	case GDB_RX_CSUM1: {
		int d = gdb_hex_digit((char)c);
		if (d < 0) {
			r->state = GDB_RX_IDLE;
			return GDB_RX_BAD;
		}
		r->csum = (uint8_t)(d << 4);
		r->state = GDB_RX_CSUM2;
		return GDB_RX_NONE;
	}
	case GDB_RX_CSUM2: {
		int d = gdb_hex_digit((char)c);
		r->state = GDB_RX_IDLE;
		if (d < 0 || (uint8_t)(r->csum | d) != r->sum || r->overflow)
			return GDB_RX_BAD;
		r->buf[r->len] = 0;
		return GDB_RX_PACKET;
	}
	}
	r->state = GDB_RX_IDLE;
	return GDB_RX_NONE;
}

static const char hexdig[] = "0123456789abcdef";

size_t gdb_frame(char *out, size_t cap, const char *payload, size_t n)
{
	size_t o = 0;
	uint8_t sum = 0;
	if (cap < 4)
		return 0;
	out[o++] = '$';
	for (size_t i = 0; i < n; i++) {
		char c = payload[i];
		if (c == '$' || c == '#' || c == '}' || c == '*') {
			if (o + 2 > cap - 3)
				return 0;
			out[o++] = '}';
			sum += '}';
			c ^= 0x20;
		} else if (o + 1 > cap - 3) {
			return 0;
		}
		out[o++] = c;
		sum += (uint8_t)c;
	}
	out[o++] = '#';
	out[o++] = hexdig[sum >> 4];
	out[o++] = hexdig[sum & 15];
	return o;
}

void gdb_hex_encode(char *out, const uint8_t *bytes, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hexdig[bytes[i] >> 4];
		out[2 * i + 1] = hexdig[bytes[i] & 15];
	}
}

int gdb_hex_decode(uint8_t *out, const char *hex, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int hi = gdb_hex_digit(hex[2 * i]), lo = gdb_hex_digit(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

int gdb_hex_number(const char **p, uint64_t *val)
{
	uint64_t v = 0;
	int n = 0, d;
	while ((d = gdb_hex_digit(**p)) >= 0) {
		if (++n > 16)
			return -1;
		v = v << 4 | (uint64_t)d;
		(*p)++;
	}
	if (!n)
		return -1;
	*val = v;
	return 0;
}

size_t gdb_hex_put(char *out, uint64_t val)
{
	char tmp[16];
	size_t n = 0;
	do {
		tmp[n++] = hexdig[val & 15];
		val >>= 4;
	} while (val);
	for (size_t i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	return n;
}
