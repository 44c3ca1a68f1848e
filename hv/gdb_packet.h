/*
 * The GDB remote serial protocol's packet layer (GDB manual, appendix E.1 "Overview"):
 * "$payload#cs" with cs the modulo-256 sum of the payload bytes in two hex digits, '+' /
 * '-' acknowledgements, '}' escapes (the next byte XOR 0x20) for '$', '#', '}' and '*' in
 * binary data, and 0x03 outside a packet for an interrupt (Ctrl-C). Pure logic: bytes in,
 * events out; the replies are framed here and written by the caller. Run-length encoding
 * is never produced (it is optional for a stub), and gdb never sends it.
 */
#ifndef HV_GDB_PACKET_H
#define HV_GDB_PACKET_H

#include "hv/types.h"

/* The largest payload either side sends: what qSupported announces as PacketSize (hex). */
#define GDB_PACKET_MAX 4096

enum gdb_rx_state { GDB_RX_IDLE, GDB_RX_DATA, GDB_RX_ESCAPE, GDB_RX_CSUM1, GDB_RX_CSUM2 };

struct gdb_rx {
	enum gdb_rx_state state;
	uint8_t sum;      /* running checksum of the bytes as sent (escapes included) */
	uint8_t csum;     /* the received checksum, high digit first */
	bool overflow;    /* more than GDB_PACKET_MAX payload bytes: the packet is refused */
	size_t len;
	char buf[GDB_PACKET_MAX + 1]; /* the payload, unescaped, NUL-terminated */
};

enum gdb_rx_event {
	GDB_RX_NONE,      /* nothing complete yet */
	GDB_RX_PACKET,    /* a packet with a good checksum: buf/len; answer '+' */
	GDB_RX_BAD,       /* a bad checksum, digit or an overlong packet: answer '-' */
	GDB_RX_INTERRUPT, /* 0x03 between packets */
	GDB_RX_ACK,       /* '+' */
	GDB_RX_NAK,       /* '-': the last reply must be sent again */
};

void gdb_rx_reset(struct gdb_rx *r);
/* Feed one received byte. */
enum gdb_rx_event gdb_rx_byte(struct gdb_rx *r, uint8_t c);

/* Frame payload[0..n) as "$...#cs" into out (escaping '$', '#', '}', '*'). Returns the
 * framed length, or 0 when it does not fit in cap. */
size_t gdb_frame(char *out, size_t cap, const char *payload, size_t n);

/* Hex helpers. Lower-case output; input in either case. */
int gdb_hex_digit(char c); /* 0-15, or -1 */
/* bytes -> 2n hex digits (no NUL). */
void gdb_hex_encode(char *out, const uint8_t *bytes, size_t n);
/* 2n hex digits -> n bytes; -1 on a non-hex digit. */
int gdb_hex_decode(uint8_t *out, const char *hex, size_t n);
/* A hex number at *p, up to a byte not a hex digit; *p moves past it. -1 when there are no
 * digits or more than 16. */
int gdb_hex_number(const char **p, uint64_t *val);
/* Append a number in hex (no leading zeros) to out; returns its length. */
size_t gdb_hex_put(char *out, uint64_t val);

#endif
