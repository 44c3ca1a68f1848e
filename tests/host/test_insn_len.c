/*
 * Tests for the x86 instruction-length decoder (hv/insn_len.c).
 *
 * The cases and their expected results are in tests/host/data/insn_lengths.txt
 * (format and provenance at its top), read at run time from the repository
 * root: asm cases, nasm's encodings of single instructions, whose expected
 * length is their number of bytes, and special cases, hand-written edge cases
 * with their expected result (length, BAD = INSN_ERR_INVALID, TRUNC =
 * INSN_ERR_TRUNCATED), following the Intel SDM / AMD APM.
 *
 * Every valid case is also checked with every shorter avail (must be
 * TRUNC) and with trailing bytes (must not change the length). Buffers
 * are heap copies of exactly avail bytes, so ASan catches any over-read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hv/insn_len.h"
#include "tests/host/harness.h"
#include "tests/host/insn_case_file.h"

#define BAD INSN_ERR_INVALID
#define TRUNC INSN_ERR_TRUNCATED

#define CASE_FILE "tests/host/data/insn_lengths.txt"
/* How many cases of each set the file holds, so that a cut-off file cannot pass. */
#define ASM_CASES 1289
#define SPECIAL_CASES 477

/* The case file, or NULL after a failure was recorded (missing, malformed, wrong count). */
static const struct insn_case_file *case_file(void)
{
	const struct insn_case_file *f = insn_case_file_load(CASE_FILE);
	if (!f)
		return NULL;
	if (f->count[INSN_SET_ASM] != ASM_CASES || f->count[INSN_SET_SPECIAL] != SPECIAL_CASES) {
		char msg[200];
		snprintf(msg, sizeof(msg), "%s holds %zu asm and %zu special cases, expected %d and %d",
			 CASE_FILE, f->count[INSN_SET_ASM], f->count[INSN_SET_SPECIAL], ASM_CASES,
			 SPECIAL_CASES);
		test_fail(__FILE__, __LINE__, msg);
		return NULL;
	}
	return f;
}

static size_t parse_hex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;
	for (; hex[0] && hex[1] && n < cap; hex += 2) {
		char pair[3] = { hex[0], hex[1], 0 };
		out[n++] = (uint8_t)strtoul(pair, NULL, 16);
	}
	return n;
}

/* insn_length() on a heap copy of exactly avail bytes of code. */
static int len_exact(const uint8_t *code, size_t avail, enum insn_mode mode)
{
	uint8_t *buf = malloc(avail ? avail : 1);
	if (avail)
		memcpy(buf, code, avail);
	int r = insn_length(buf, avail, mode);
	free(buf);
	return r;
}

static void report(const char *hex, const char *text, int mode, size_t avail, int got, int want)
{
	char msg[256];
	snprintf(msg, sizeof(msg), "%d-bit %s (%s) avail %zu: got %d, want %d",
		 mode, hex, text, avail, got, want);
	test_fail(__FILE__, __LINE__, msg);
}

/*
 * Check one case: the given bytes give want; if want is a length, every
 * shorter prefix is TRUNC and trailing bytes (two different fillers) change nothing;
 * if want is BAD, trailing bytes do not change that either.
 */
static void check_case(const char *hex, const char *text, int mode, int want)
{
	static const uint8_t fill[2] = { 0x00, 0xcc };
	uint8_t code[40];
	size_t n = parse_hex(hex, code, sizeof(code));
	int got = len_exact(code, n, (enum insn_mode)mode);

	if (got != want)
		report(hex, text, mode, n, got, want);
	if (want == TRUNC)
		return;
	if (want > 0)
		for (size_t k = 0; k < (size_t)want; k++) {
			got = len_exact(code, k, (enum insn_mode)mode);
			if (got != TRUNC)
				report(hex, text, mode, k, got, TRUNC);
		}
	for (size_t f = 0; f < sizeof(fill); f++) {
		memset(code + n, fill[f], sizeof(code) - n);
		got = len_exact(code, sizeof(code), (enum insn_mode)mode);
		if (got != want)
			report(hex, text, mode, sizeof(code), got, want);
	}
}

static unsigned mode_bit(int mode)
{
	return mode == 16 ? INSN_CASE_M16 : mode == 32 ? INSN_CASE_M32 : INSN_CASE_M64;
}

static void run_asm_cases(int mode)
{
	const struct insn_case_file *f = case_file();
	REQUIRE(f != NULL);
	size_t n = 0;
	for (size_t i = 0; i < f->ncases; i++) {
		const struct insn_case *c = &f->cases[i];
		if (c->set != INSN_SET_ASM || !(c->modes & mode_bit(mode)))
			continue;
		check_case(c->hex, c->text, mode, (int)(strlen(c->hex) / 2));
		n++;
	}
	CHECK(n > 400);
}

static void run_special_cases(int mode)
{
	const struct insn_case_file *f = case_file();
	REQUIRE(f != NULL);
	for (size_t i = 0; i < f->ncases; i++) {
		const struct insn_case *c = &f->cases[i];
		if (c->set == INSN_SET_SPECIAL && (c->modes & mode_bit(mode)))
			check_case(c->hex, c->text, mode, c->expect);
	}
}

TEST(insn_len_asm_16) { run_asm_cases(16); }
TEST(insn_len_asm_32) { run_asm_cases(32); }
TEST(insn_len_asm_64) { run_asm_cases(64); }
TEST(insn_len_special_16) { run_special_cases(16); }
TEST(insn_len_special_32) { run_special_cases(32); }
TEST(insn_len_special_64) { run_special_cases(64); }

TEST(insn_len_edges)
{
	static const uint8_t nop[1] = { 0x90 };
	uint8_t pfx[32];

	CHECK_EQ(insn_length(NULL, 0, INSN_MODE_64), TRUNC);
	CHECK_EQ(insn_length(nop, 1, (enum insn_mode)8), BAD);
	CHECK_EQ(insn_length(nop, 1, INSN_MODE_16), 1);
	/* n prefixes + NOP: valid up to 14 prefixes; 15 prefixes are
	 * rejected even when only those 15 bytes are available. */
	for (int n = 0; n <= 20; n++) {
		memset(pfx, 0x3e, sizeof(pfx));
		pfx[n] = 0x90;
		for (int mode = 16; mode <= 64; mode *= 2) {
			int want = n <= 14 ? n + 1 : BAD;
			CHECK_EQ(len_exact(pfx, (size_t)n + 1, (enum insn_mode)mode), want);
			CHECK_EQ(len_exact(pfx, (size_t)n, (enum insn_mode)mode), n < 15 ? TRUNC : BAD);
		}
	}
	/* avail far beyond 15 is fine. */
	memset(pfx, 0x90, sizeof(pfx));
	CHECK_EQ(insn_length(pfx, sizeof(pfx), INSN_MODE_32), 1);
}

/*
 * Property check over pseudo-random bytes (fixed seed, so deterministic):
 * a valid result is 1..15, is reproduced with exactly that many bytes, and
 * every shorter avail gives TRUNC; with 32 bytes available the answer is
 * never TRUNC; an INVALID answer is never contradicted by a length when
 * fewer bytes are given. Random streams are biased towards prefixes and
 * escape bytes so that every decoder path is exercised.
 */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static unsigned rnd(unsigned n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (unsigned)(rng_state >> 32) % n;
}

static void random_bytes(uint8_t *b, size_t n, int mode)
{
	static const uint8_t prefixes[] = { 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66,
					    0x67, 0xf0, 0xf2, 0xf3, 0x48, 0x41 };
	static const uint8_t esc[][2] = { { 0x0f, 0 }, { 0x0f, 0x38 }, { 0x0f, 0x3a },
					  { 0x0f, 0x01 }, { 0x0f, 0x0f }, { 0xc4, 0xe1 },
					  { 0xc4, 0xe3 }, { 0xc5, 0xf8 }, { 0x62, 0xf1 },
					  { 0x8f, 0xe8 }, { 0x8f, 0xea } };
	size_t i = 0;
	for (size_t k = 0; k < n; k++)
		b[k] = (uint8_t)rnd(256);
	for (unsigned np = rnd(4); np; np--) {
		unsigned p = rnd(sizeof(prefixes) - (mode == 64 ? 0 : 2));
		b[i++] = prefixes[p];
	}
	if (rnd(2)) {
		unsigned e = rnd(sizeof(esc) / sizeof(esc[0]));
		b[i++] = esc[e][0];
		if (esc[e][1])
			b[i++] = esc[e][1];
	}
}

TEST(insn_len_random_properties)
{
	uint8_t b[32];
	for (int iter = 0; iter < 60000; iter++) {
		int mode = iter % 3 == 0 ? 16 : iter % 3 == 1 ? 32 : 64;
		random_bytes(b, sizeof(b), mode);
		int r = len_exact(b, sizeof(b), (enum insn_mode)mode);
		REQUIRE(r == BAD || (r >= 1 && r <= 15));
		if (r > 0) {
			REQUIRE(len_exact(b, (size_t)r, (enum insn_mode)mode) == r);
			for (int k = 0; k < r; k++)
				REQUIRE(len_exact(b, (size_t)k, (enum insn_mode)mode) == TRUNC);
		} else {
			for (size_t k = 0; k <= 16; k++) {
				int s = len_exact(b, k, (enum insn_mode)mode);
				REQUIRE(s == BAD || s == TRUNC);
			}
		}
	}
}
