/*
 * libFuzzer target: the MMIO instruction decoder (hv/mmio_decode.c) and the value
 * helpers that carry out what it decoded. Input as for fuzz_insn_len: byte 0 picks the
 * mode (% 3: 16-, 32-, 64-bit), the rest is code, decoded position after position; the
 * last 8 bytes also serve as register/memory values. Properties (hv/mmio_decode.h):
 * - it reads only the bytes given (exact-size heap copy under ASan);
 * - it agrees with the length decoder: TRUNCATED/INVALID from insn_decode stay that,
 *   an accepted instruction has insn_decode's length, and refusals match the prefixes
 *   insn_decode saw (LOCK, REP) or a register-direct ModRM;
 * - only the documented MOV/MOVZX/MOVSX opcodes are accepted, with a direction that
 *   matches the opcode, sizes of 1/2/4/8, a register that exists in the mode, AH-BH
 *   only for byte operands without REX, an immediate only on writes;
 * - mmio_store_value never yields more than size bytes and is the register's (or
 *   immediate's) low bytes; mmio_load_result merges 8/16-bit destinations, zero-extends
 *   32-bit ones and widens MOVZX/MOVSX as the SDM says;
 * - the same bytes give the same answer.
 */
#include "hv/mmio_decode.h"
#include "tests/fuzz/fuzz_util.h"

static uint64_t mask(unsigned bytes)
{
	return bytes >= 8 ? ~0ull : (1ull << (8 * bytes)) - 1;
}

static bool size_ok(unsigned s)
{
	return s == 1 || s == 2 || s == 4 || s == 8;
}

static void check_values(const struct mmio_insn *d, uint64_t a, uint64_t b)
{
	uint64_t st = mmio_store_value(d, a);
	FUZZ_CHECK((st & ~mask(d->size)) == 0);
	if (d->has_imm)
		FUZZ_CHECK(st == (d->imm & mask(d->size)));
	else
		FUZZ_CHECK(st == ((d->high_byte ? a >> 8 : a) & mask(d->size)));

	uint64_t r = mmio_load_result(d, a, b); /* a: the register before, b: memory */
	uint64_t v = b & mask(d->size);
	if (d->ext == MMIO_EXT_SIGN && d->size < 8 && (v >> (8 * d->size - 1)) & 1)
		v |= ~mask(d->size);
	switch (d->reg_size) {
	case 1:
		if (d->high_byte)
			FUZZ_CHECK(r == ((a & ~0xff00ull) | (v & 0xff) << 8));
		else
			FUZZ_CHECK(r == ((a & ~0xffull) | (v & 0xff)));
		break;
	case 2:
		FUZZ_CHECK(r == ((a & ~0xffffull) | (v & 0xffff)));
		break;
	case 4:
		FUZZ_CHECK(r == (v & 0xffffffffull)); /* SDM vol. 1, 3.4.1.1 */
		break;
	default:
		FUZZ_CHECK(r == v);
	}
}

static void check_at(const uint8_t *code, size_t avail, enum insn_mode mode, uint64_t a,
		     uint64_t b, int *out_len)
{
	struct mmio_insn d, d2;
	memset(&d, 0x5a, sizeof(d));
	memset(&d2, 0x5a, sizeof(d2));
	int m = mmio_decode(code, avail, mode, &d);
	FUZZ_CHECK(mmio_decode(code, avail, mode, &d2) == m);
	FUZZ_CHECK(m > 0 || (m >= MMIO_ERR_OPCODE && m <= MMIO_ERR_TRUNCATED));
	if (m < 0) {
		FUZZ_CHECK(strcmp(mmio_decode_strerror(m), "unknown error") != 0);
	}

	struct insn_info info;
	int i = insn_decode(code, avail, mode, &info);
	*out_len = i;
	if (i == INSN_ERR_TRUNCATED) {
		FUZZ_CHECK(m == MMIO_ERR_TRUNCATED);
		return;
	}
	if (i < 0) {
		FUZZ_CHECK(m == MMIO_ERR_INVALID);
		return;
	}
	FUZZ_CHECK(m != MMIO_ERR_TRUNCATED && m != MMIO_ERR_INVALID);
	FUZZ_CHECK((m == MMIO_ERR_LOCK) == info.lock);
	if (!info.lock)
		FUZZ_CHECK((m == MMIO_ERR_REP) == (info.rep != 0));
	if (m == MMIO_ERR_REGISTER)
		FUZZ_CHECK(info.has_modrm && info.modrm >> 6 == 3);
	if (m < 0)
		return;

	FUZZ_CHECK(!memcmp(&d, &d2, sizeof(d)));
	FUZZ_CHECK(m == i && d.len == m);
	FUZZ_CHECK(!info.lock && !info.rep);
	FUZZ_CHECK(!info.has_modrm || info.modrm >> 6 != 3);
	unsigned op = info.opcode;
	bool movx = info.map == INSN_MAP_0F && (op == 0xb6 || op == 0xb7 || op == 0xbe || op == 0xbf);
	bool mov = info.map == INSN_MAP_1BYTE &&
		   ((op >= 0x88 && op <= 0x8b) || op == 0xc6 || op == 0xc7 || (op >= 0xa0 && op <= 0xa3));
	FUZZ_CHECK(mov || movx);
	FUZZ_CHECK(d.write == (mov && (op == 0x88 || op == 0x89 || op == 0xc6 || op == 0xc7 ||
				       op == 0xa2 || op == 0xa3)));
	FUZZ_CHECK(d.has_imm == (mov && (op == 0xc6 || op == 0xc7)));
	FUZZ_CHECK(size_ok(d.size) && (d.has_imm || size_ok(d.reg_size)));
	FUZZ_CHECK(d.size <= info.osz / 8u);
	FUZZ_CHECK(d.reg < (mode == INSN_MODE_64 ? 16 : 8));
	FUZZ_CHECK(!d.high_byte || (d.reg < 4 && d.reg_size == 1 && !info.rex));
	if (movx) {
		FUZZ_CHECK(d.ext == (op <= 0xb7 ? MMIO_EXT_ZERO : MMIO_EXT_SIGN));
		FUZZ_CHECK(d.size == (op & 1 ? 2 : 1) && d.reg_size == info.osz / 8u);
	} else {
		FUZZ_CHECK(d.ext == MMIO_EXT_NONE);
		if (!d.has_imm)
			FUZZ_CHECK(d.reg_size == d.size);
		FUZZ_CHECK(d.size == (op & 1 ? info.osz / 8u : 1));
	}
	if (op >= 0xa0 && op <= 0xa3 && mov)
		FUZZ_CHECK(d.reg == 0 && !d.high_byte);
	if (!d.has_imm)
		check_values(&d, a, b);
	else
		FUZZ_CHECK(mmio_store_value(&d, a) == (d.imm & mask(d.size)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum insn_mode modes[] = { INSN_MODE_16, INSN_MODE_32, INSN_MODE_64 };
	if (size < 1)
		return 0;
	enum insn_mode mode = modes[data[0] % 3];
	size_t n = size - 1;
	uint8_t *code = fuzz_copy(data + 1, n);
	uint64_t a = 0x0123456789abcdefull, b = 0xfedcba9876543210ull;
	if (n >= 16) {
		memcpy(&a, code + n - 16, 8);
		memcpy(&b, code + n - 8, 8);
	}
	for (size_t p = 0; p < n;) {
		int len;
		check_at(code + p, n - p, mode, a, b, &len);
		if (fuzz_verbose()) {
			struct mmio_insn d;
			int m = mmio_decode(code + p, n - p, mode, &d);
			fprintf(stderr, "mmio_decode: %d-bit offset %zu: %d %s\n", (int)mode, p, m,
				m > 0 ? (d.write ? "write" : "read") : mmio_decode_strerror(m));
		}
		p += len > 0 ? (size_t)len : 1;
	}
	free(code);
	return 0;
}
