/*
 * libFuzzer target: the instruction-length decoder (hv/insn_len.c), run like a
 * disassembler over the input. Input: byte 0 picks the mode (% 3: 16-, 32-, 64-bit),
 * the rest is code, decoded instruction after instruction (one byte on when a
 * position does not decode). Properties, at every position (hv/insn_len.h):
 * - it never reads code[avail] or beyond (the code is an exact-size heap copy, so
 *   the last position's avail ends at the end of the allocation, under ASan);
 * - a length is 1..15 and never more than the bytes given; only 15 bytes matter
 *   (the result with more is the result with 15), so TRUNCATED means fewer than 15;
 * - every proper prefix of an instruction of length L is TRUNCATED, and L bytes
 *   give L again; fewer bytes than an INVALID/TRUNCATED case never make it decode;
 * - insn_decode agrees with insn_length and reports sizes that exist in the mode;
 * - the same bytes give the same answer (no state between calls).
 */
#include "hv/insn_len.h"
#include "tests/fuzz/fuzz_util.h"

static void check_info(const struct insn_info *in, int len, unsigned mode)
{
	FUZZ_CHECK(in->len == len);
	FUZZ_CHECK(in->map <= INSN_MAP_VEX);
	FUZZ_CHECK(in->osz == 16 || in->osz == 32 || in->osz == 64);
	FUZZ_CHECK(in->asz == 16 || in->asz == 32 || in->asz == 64);
	if (mode == 64) {
		FUZZ_CHECK(in->asz != 16);
		FUZZ_CHECK(in->rex == 0 || (in->rex & 0xf0) == 0x40);
	} else {
		FUZZ_CHECK(in->asz != 64 && in->osz != 64 && in->rex == 0);
	}
	FUZZ_CHECK(in->rep == 0 || in->rep == 0xf2 || in->rep == 0xf3);
	FUZZ_CHECK(in->seg == 0 || in->seg == 0x26 || in->seg == 0x2e || in->seg == 0x36 ||
		   in->seg == 0x3e || in->seg == 0x64 || in->seg == 0x65);
}

static void check_at(const uint8_t *code, size_t avail, enum insn_mode mode, int *out_len)
{
	int r = insn_length(code, avail, mode);
	FUZZ_CHECK(r == INSN_ERR_INVALID || r == INSN_ERR_TRUNCATED || (r >= 1 && r <= INSN_MAX_LEN));
	FUZZ_CHECK(r < 0 || (size_t)r <= avail);
	FUZZ_CHECK(insn_length(code, avail, mode) == r);
	size_t cap = avail < INSN_MAX_LEN ? avail : INSN_MAX_LEN;
	FUZZ_CHECK(insn_length(code, cap, mode) == r);
	if (r == INSN_ERR_TRUNCATED)
		FUZZ_CHECK(avail < INSN_MAX_LEN);

	struct insn_info info, info2;
	memset(&info, 0xa5, sizeof(info));
	memset(&info2, 0xa5, sizeof(info2));
	FUZZ_CHECK(insn_decode(code, avail, mode, &info) == r);
	FUZZ_CHECK(insn_decode(code, avail, mode, &info2) == r);
	FUZZ_CHECK(!memcmp(&info, &info2, sizeof(info)));
	if (r > 0) {
		check_info(&info, r, (unsigned)mode);
		FUZZ_CHECK(insn_length(code, (size_t)r, mode) == r);
		for (size_t k = 0; k < (size_t)r; k++)
			FUZZ_CHECK(insn_length(code, k, mode) == INSN_ERR_TRUNCATED);
	} else {
		struct insn_info untouched;
		memset(&untouched, 0xa5, sizeof(untouched));
		FUZZ_CHECK(!memcmp(&info, &untouched, sizeof(info))); /* untouched on error */
		for (size_t k = 0; k < cap; k++) {
			int rk = insn_length(code, k, mode);
			FUZZ_CHECK(rk == INSN_ERR_TRUNCATED || (r == INSN_ERR_INVALID && rk == r));
		}
	}
	*out_len = r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum insn_mode modes[] = { INSN_MODE_16, INSN_MODE_32, INSN_MODE_64 };
	if (size < 1)
		return 0;
	enum insn_mode mode = modes[data[0] % 3];
	size_t n = size - 1;
	uint8_t *code = fuzz_copy(data + 1, n);
	for (size_t p = 0; p < n;) {
		int len;
		check_at(code + p, n - p, mode, &len);
		if (fuzz_verbose())
			fprintf(stderr, "insn_len: %d-bit offset %zu: %d\n", (int)mode, p, len);
		p += len > 0 ? (size_t)len : 1;
	}
	/* Nothing to decode at all. */
	FUZZ_CHECK(insn_length(code + n, 0, mode) == INSN_ERR_TRUNCATED);
	free(code);
	return 0;
}
