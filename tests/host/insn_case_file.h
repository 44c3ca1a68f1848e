/*
 * The instruction-length cases of tests/host/data/insn_lengths.txt (the format
 * is described at the top of that file), read by tests/host/test_insn_len.c.
 */
#ifndef TESTS_HOST_INSN_CASE_FILE_H
#define TESTS_HOST_INSN_CASE_FILE_H

#include <stddef.h>

#define INSN_CASE_MAX_BYTES 32
#define INSN_CASE_M16 1
#define INSN_CASE_M32 2
#define INSN_CASE_M64 4

enum insn_case_set { INSN_SET_ASM, INSN_SET_SPECIAL, INSN_NSETS };

struct insn_case {
	enum insn_case_set set;
	unsigned modes;  /* INSN_CASE_M16 | INSN_CASE_M32 | INSN_CASE_M64 */
	int expect;      /* a length, INSN_ERR_INVALID or INSN_ERR_TRUNCATED */
	char hex[2 * INSN_CASE_MAX_BYTES + 1];
	char text[128];
};

struct insn_case_file {
	size_t ncases;
	size_t count[INSN_NSETS]; /* cases per set */
	struct insn_case *cases;
};

/*
 * Reads path (relative to the current directory) on the first call and keeps
 * it. Returns NULL when the file is missing or any line is malformed; then
 * every call reports the reason through test_fail().
 */
const struct insn_case_file *insn_case_file_load(const char *path);

#endif
