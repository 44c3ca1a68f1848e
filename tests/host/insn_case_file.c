/* Reader for tests/host/data/insn_lengths.txt: strict, so that a damaged file cannot pass. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hv/insn_len.h"
#include "tests/host/harness.h"
#include "tests/host/insn_case_file.h"

#define LINE_MAX_CHARS 512

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Splits s at blanks into at most max fields; returns how many there were (max + 1 if more). */
static int split(char *s, char **field, int max)
{
	int n = 0;
	for (;;) {
		while (is_blank(*s))
			*s++ = 0;
		if (!*s)
			return n;
		if (n == max)
			return max + 1;
		field[n++] = s;
		while (*s && !is_blank(*s))
			s++;
	}
}

static bool parse_modes(const char *s, unsigned *modes)
{
	*modes = 0;
	if (!strcmp(s, "all")) {
		*modes = INSN_CASE_M16 | INSN_CASE_M32 | INSN_CASE_M64;
		return true;
	}
	for (;;) {
		unsigned bit = !strncmp(s, "16", 2) ? INSN_CASE_M16 :
			       !strncmp(s, "32", 2) ? INSN_CASE_M32 :
			       !strncmp(s, "64", 2) ? INSN_CASE_M64 : 0;
		if (!bit || (*modes & bit))
			return false;
		*modes |= bit;
		s += 2;
		if (!*s)
			return true;
		if (*s++ != ',')
			return false;
	}
}

static bool parse_hex(const char *s)
{
	size_t n = strlen(s);
	if (!n || n % 2 || n > 2 * INSN_CASE_MAX_BYTES)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

static bool parse_expect(const char *s, int *expect)
{
	if (!strcmp(s, "invalid")) {
		*expect = INSN_ERR_INVALID;
		return true;
	}
	if (!strcmp(s, "truncated")) {
		*expect = INSN_ERR_TRUNCATED;
		return true;
	}
	/* 1-15, no sign or leading zero */
	if (s[0] < '1' || s[0] > '9' || (s[1] && (s[1] < '0' || s[1] > '9' || s[2])))
		return false;
	*expect = atoi(s);
	return *expect <= 15;
}

static int bad(const char **why, const char *what)
{
	*why = what;
	return -1;
}

/* One line without its end: 0 and no case for blank and comment lines, 1 for a case, -1 bad. */
static int parse_line(char *line, struct insn_case *c, const char **why)
{
	char *hash = strchr(line, '#'), *field[5];
	const char *text = "";
	if (hash) {
		*hash = 0;
		text = hash + 1;
		while (is_blank(*text))
			text++;
	}
	int n = split(line, field, 4);
	if (!n)
		return 0;
	if (n != 4)
		return bad(why, "expected SET MODES HEX EXPECT");
	memset(c, 0, sizeof(*c));
	if (!strcmp(field[0], "asm"))
		c->set = INSN_SET_ASM;
	else if (!strcmp(field[0], "special"))
		c->set = INSN_SET_SPECIAL;
	else
		return bad(why, "SET is neither asm nor special");
	if (!parse_modes(field[1], &c->modes))
		return bad(why, "MODES is not all or a list of 16, 32, 64");
	if (!parse_hex(field[2]))
		return bad(why, "HEX is not 1-32 bytes of lowercase hex");
	if (!parse_expect(field[3], &c->expect))
		return bad(why, "EXPECT is not 1-15, invalid or truncated");
	if (c->set == INSN_SET_ASM && c->expect != (int)(strlen(field[2]) / 2))
		return bad(why, "an asm case's EXPECT must be its number of bytes");
	if (strlen(text) >= sizeof(c->text))
		return bad(why, "description too long");
	strcpy(c->hex, field[2]);
	strcpy(c->text, text);
	for (size_t k = strlen(c->text); k && is_blank(c->text[k - 1]); k--)
		c->text[k - 1] = 0;
	return 1;
}

static int read_file(const char *path, struct insn_case_file *f, char *msg, size_t msglen)
{
	FILE *fp = fopen(path, "r");
	char line[LINE_MAX_CHARS + 2];
	size_t cap = 0;
	int lineno = 0, rc = 0;

	if (!fp) {
		snprintf(msg, msglen, "cannot open %s (the tests run from the repository root)", path);
		return -1;
	}
	while (fgets(line, sizeof(line), fp)) {
		size_t len = strlen(line);
		const char *why = NULL;
		lineno++;
		if (len && line[len - 1] == '\n')
			line[--len] = 0;
		else if (!feof(fp))
			why = "line too long (or it holds a NUL)";
		if (len && line[len - 1] == '\r')
			line[--len] = 0;
		if (!why && f->ncases == cap) {
			cap = cap ? 2 * cap : 1024;
			f->cases = realloc(f->cases, cap * sizeof(*f->cases));
			if (!f->cases)
				why = "out of memory";
		}
		int r = why ? -1 : parse_line(line, &f->cases[f->ncases], &why);
		if (r < 0) {
			snprintf(msg, msglen, "%s:%d: %s", path, lineno, why);
			rc = -1;
			break;
		}
		if (r > 0)
			f->count[f->cases[f->ncases++].set]++;
	}
	if (!rc && ferror(fp)) {
		snprintf(msg, msglen, "%s: read error", path);
		rc = -1;
	}
	fclose(fp);
	return rc;
}

const struct insn_case_file *insn_case_file_load(const char *path)
{
	static struct insn_case_file file;
	static bool loaded;
	static int rc;
	static char msg[256];

	if (!loaded) {
		loaded = true;
		rc = read_file(path, &file, msg, sizeof(msg));
	}
	if (rc) {
		test_fail(__FILE__, __LINE__, msg);
		return NULL;
	}
	return &file;
}
