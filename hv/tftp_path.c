/* TFTP file names for network boot (see tftp_path.h for the rules). */
#include "hv/tftp_path.h"
#include "hv/fmt.h"

static bool is_sep(char c)
{
	return c == '/' || c == '\\';
}

/* 0 when s is netascii printable (0x20-0x7e); else -1 with err naming the first bad byte. */
static int check_bytes(const char *what, const char *s, char *err, size_t errlen)
{
	for (size_t i = 0; s[i]; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c > 0x7e) {
			hv_snprintf(err, errlen, "%s contains a byte 0x%02x that is not printable ASCII",
				    what, c);
			return -1;
		}
	}
	return 0;
}

static int fail(char *out, size_t outlen)
{
	if (outlen)
		out[0] = 0;
	return -1;
}

int tftp_boot_dir(const char *boot_file, char *dir, size_t dirlen, char *err, size_t errlen)
{
	size_t cut = 0, limit = dirlen < TFTP_NAME_MAX ? dirlen : TFTP_NAME_MAX;
	if (check_bytes("the boot file name", boot_file, err, errlen))
		return fail(dir, dirlen);
	for (size_t i = 0; boot_file[i]; i++)
		if (is_sep(boot_file[i]))
			cut = i + 1;
	if (cut >= limit) {
		hv_snprintf(err, errlen, "the boot file's directory is %zu bytes long (the limit is %zu)",
			    cut, limit ? limit - 1 : 0);
		return fail(dir, dirlen);
	}
	for (size_t i = 0; i < cut; i++)
		dir[i] = boot_file[i];
	dir[cut] = 0;
	return 0;
}

int tftp_path_join(const char *dir, const char *path, char *out, size_t outlen, char *err,
		   size_t errlen)
{
	size_t n = 0, limit = outlen < TFTP_NAME_MAX ? outlen : TFTP_NAME_MAX;
	bool back = false, fwd = false;
	if (check_bytes("the boot directory", dir, err, errlen) ||
	    check_bytes("the path", path, err, errlen))
		return fail(out, outlen);
	if (!path[0]) {
		hv_snprintf(err, errlen, "the path is empty");
		return fail(out, outlen);
	}
	size_t plen = 0;
	while (path[plen])
		plen++;
	/* On a disk "guests/" and "guests/." open a directory. */
	if (is_sep(path[plen - 1]) || (path[plen - 1] == '.' && (plen == 1 || is_sep(path[plen - 2])))) {
		hv_snprintf(err, errlen, "the path names a directory, not a file");
		return fail(out, outlen);
	}
	for (size_t i = 0; dir[i]; i++) {
		back |= dir[i] == '\\';
		fwd |= dir[i] == '/';
	}
	char sep = back && !fwd ? '\\' : '/';
	if (is_sep(path[0]))
		dir = ""; /* relative to the TFTP root, as a disk path is to the volume's root */
	for (size_t i = 0; dir[i]; i++) {
		if (n + 1 >= limit)
			goto too_long;
		out[n++] = dir[i];
	}
	for (const char *p = path; *p;) {
		while (is_sep(*p))
			p++;
		size_t len = 0;
		while (p[len] && !is_sep(p[len]))
			len++;
		if (len == 0 || (len == 1 && p[0] == '.')) {
			p += len;
			continue;
		}
		if (len == 2 && p[0] == '.' && p[1] == '.') {
			hv_snprintf(err, errlen, "'..' is not allowed in a path read over TFTP");
			return fail(out, outlen);
		}
		/* A separator before the component unless at the start or right after dir's. */
		if (n && !is_sep(out[n - 1])) {
			if (n + 1 >= limit)
				goto too_long;
			out[n++] = sep;
		}
		if (n + len >= limit)
			goto too_long;
		for (size_t k = 0; k < len; k++)
			out[n++] = p[k];
		p += len;
	}
	if (n == 0 || is_sep(out[n - 1])) {
		hv_snprintf(err, errlen, "the path names a directory, not a file");
		return fail(out, outlen);
	}
	out[n] = 0;
	return 0;
too_long:
	hv_snprintf(err, errlen, "the TFTP file name would be longer than %zu bytes",
		    limit ? limit - 1 : 0);
	return fail(out, outlen);
}
