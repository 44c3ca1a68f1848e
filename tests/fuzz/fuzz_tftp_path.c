/*
 * libFuzzer target: TFTP file names for network boot (hv/tftp_path.c), against a model
 * written from the rules at the top of hv/tftp_path.h.
 * Input: byte 0 and byte 1 pick the sizes of the dir and out buffers (mostly
 * TFTP_NAME_MAX, for bytes 200-255 0..331: the buffers are exact-size heap blocks, so a write
 * past dirlen/outlen is an ASan report), then the boot file name, a NUL, and the
 * hv.cfg path (up to the next NUL or the end).
 * Properties:
 * - tftp_boot_dir gives exactly the model's result: the boot file up to and including
 *   its last '/' or '\', refused for bytes outside 0x20-0x7e or a directory that does
 *   not fit min(dirlen, TFTP_NAME_MAX) with its NUL;
 * - tftp_path_join gives exactly the model's name: the directory (not for a path that
 *   starts with a separator), then the path's components without empty ones and ".",
 *   joined by '\' when the directory uses only '\', else '/'; refused for "..", a path
 *   that is empty or names a directory, a bad byte, or a name that does not fit;
 * - on failure out/dir is "" and err one printable line; on success the name is
 *   printable ASCII and shorter than TFTP_NAME_MAX;
 * - joining is also tried with the boot file itself as the directory (any string).
 */
#include "hv/tftp_path.h"
#include "tests/fuzz/fuzz_util.h"

static size_t buf_len(uint8_t b)
{
	return b < 200 ? TFTP_NAME_MAX : (size_t)(b - 200) * 6 + (b & 1);
}

static bool is_sep(char c)
{
	return c == '/' || c == '\\';
}

static bool printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return false;
	return true;
}

static size_t min_sz(size_t a, size_t b)
{
	return a < b ? a : b;
}

/* The model of tftp_boot_dir: 0 and want filled, or -1. */
static int model_dir(const char *boot, size_t dirlen, char *want)
{
	if (!printable(boot))
		return -1;
	size_t cut = 0;
	for (size_t i = 0; boot[i]; i++)
		if (is_sep(boot[i]))
			cut = i + 1;
	if (cut + 1 > min_sz(dirlen, TFTP_NAME_MAX))
		return -1;
	memcpy(want, boot, cut);
	want[cut] = 0;
	return 0;
}

/* The model of tftp_path_join. want has room for strlen(dir) + 2 * strlen(path) + 2. */
static int model_join(const char *dir, const char *path, size_t outlen, char *want)
{
	want[0] = 0;
	if (!printable(dir) || !printable(path) || !path[0])
		return -1;
	size_t plen = strlen(path);
	if (is_sep(path[plen - 1]) ||
	    (path[plen - 1] == '.' && (plen == 1 || is_sep(path[plen - 2]))))
		return -1; /* names a directory */
	bool back = strchr(dir, '\\') != NULL, fwd = strchr(dir, '/') != NULL;
	char sep = back && !fwd ? '\\' : '/';
	size_t n = 0;
	if (!is_sep(path[0]))
		for (; dir[n]; n++)
			want[n] = dir[n];
	for (const char *p = path; *p;) {
		while (is_sep(*p))
			p++;
		size_t len = 0;
		while (p[len] && !is_sep(p[len]))
			len++;
		if (len == 2 && p[0] == '.' && p[1] == '.') {
			want[n] = 0;
			return -1;
		}
		if (len && !(len == 1 && p[0] == '.')) {
			if (n && !is_sep(want[n - 1]))
				want[n++] = sep;
			memcpy(want + n, p, len);
			n += len;
		}
		p += len;
	}
	want[n] = 0;
	if (n == 0 || is_sep(want[n - 1]))
		return -1;
	if (n + 1 > min_sz(outlen, TFTP_NAME_MAX))
		return -1; /* too long */
	return 0;
}

static void check_err(const char *err, size_t len)
{
	FUZZ_CHECK(err[0] && fuzz_printable_line(err, len));
}

static void check_join(const char *dir, const char *path, size_t outlen)
{
	char *out = malloc(outlen ? outlen : 1);
	char *want = malloc(strlen(dir) + 2 * strlen(path) + 2);
	char err[160];
	FUZZ_CHECK(out && want);
	if (outlen)
		memset(out, 'x', outlen);
	err[0] = 0;
	int rc = tftp_path_join(dir, path, out, outlen, err, sizeof(err));
	int m = model_join(dir, path, outlen, want);
	if (fuzz_verbose())
		fprintf(stderr, "tftp_path_join('%s', '%s', %zu): %d '%s' (model %d '%s')\n", dir,
			path, outlen, rc, rc ? err : out, m, want);
	FUZZ_CHECK(rc == m);
	if (rc == 0) {
		FUZZ_CHECK(!strcmp(out, want) && printable(out) && strlen(out) < TFTP_NAME_MAX);
	} else {
		check_err(err, sizeof(err));
		if (outlen)
			FUZZ_CHECK(out[0] == 0);
	}
	free(want);
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	size_t dirlen = buf_len(data[0]), outlen = buf_len(data[1]);
	/* "boot\0path": two NUL-terminated strings of any other bytes. */
	char *text = malloc(size - 2 + 2);
	FUZZ_CHECK(text != NULL);
	memcpy(text, data + 2, size - 2);
	text[size - 2] = 0;
	text[size - 1] = 0;
	const char *boot = text;
	const char *path = text + strlen(text) + 1;
	if (path > text + size - 2)
		path = text + size - 1; /* no NUL in the input: the path is empty */

	char *dir = malloc(dirlen ? dirlen : 1);
	char *want = malloc(strlen(boot) + 1);
	char err[160];
	FUZZ_CHECK(dir && want);
	if (dirlen)
		memset(dir, 'x', dirlen);
	err[0] = 0;
	int rc = tftp_boot_dir(boot, dir, dirlen, err, sizeof(err));
	FUZZ_CHECK(rc == model_dir(boot, dirlen, want));
	if (rc == 0) {
		FUZZ_CHECK(!strcmp(dir, want));
		check_join(dir, path, outlen);
	} else {
		check_err(err, sizeof(err));
		if (dirlen)
			FUZZ_CHECK(dir[0] == 0);
	}
	check_join(boot, path, outlen);
	free(want);
	free(dir);
	free(text);
	return 0;
}
