/* README "Running Linux in a partition": its configuration example is the one the Linux
 * emulator tests boot (tests/emu/cases/linux.cfg, without that file's leading comment
 * lines), and it parses as printed. */
#include <stdlib.h>
#include <string.h>
#include "hv/config.h"
#include "tests/host/config_test_util.h"
#include "tests/host/doc_check.h"
#include "tests/host/harness.h"

/* The first indented block after the line starting with `heading` in text, its indentation
 * removed, blank lines inside it kept and trailing ones dropped, into out. */
static size_t indented_block_after(const char *text, const char *heading, char *out, size_t cap)
{
	const char *p = strstr(text, heading);
	size_t len = 0;
	int state = 0; /* 0: before the block, 1: in it */
	while (p && *p) {
		const char *eol = strchr(p, '\n');
		size_t n = eol ? (size_t)(eol - p) + 1 : strlen(p);
		bool indented = n > 4 && !strncmp(p, "    ", 4);
		bool blank = p[0] == '\n';
		if (state == 0 && indented)
			state = 1;
		else if (state == 1 && !indented && !blank)
			break;
		if (state == 1) {
			const char *body = indented ? p + 4 : p;
			size_t bn = indented ? n - 4 : n;
			if (len + bn >= cap)
				return 0;
			memcpy(out + len, body, bn);
			len += bn;
		}
		p += n;
	}
	while (len >= 2 && out[len - 1] == '\n' && out[len - 2] == '\n')
		len--;
	out[len] = 0;
	return len;
}

TEST(linux_readme_example_is_the_tested_config)
{
	char *readme = doc_read("README.md");
	char *cfg_file = doc_read("tests/emu/cases/linux.cfg");
	REQUIRE(readme != NULL && cfg_file != NULL); /* the unit tests run from the source tree */
	static char example[4096];
	size_t len = indented_block_after(readme, "## Running Linux in a partition", example,
					  sizeof(example));
	CHECK(len > 100);
	/* The test's file: its leading comment lines say where it comes from; the rest is the example. */
	const char *body = cfg_file;
	while (*body == '#') {
		const char *eol = strchr(body, '\n');
		body = eol ? eol + 1 : body + strlen(body);
	}
	CHECK_STR(example, body);
	REQUIRE(parse_n(example, len) == 0);
	REQUIRE(cfg.nguests == 3);
	CHECK_STR(cfg.guests[1].kernel, "linux/bzImage");
	CHECK_STR(cfg.guests[2].kernel, "linux/vmlinux");
	for (int i = 1; i <= 2; i++) {
		CHECK_STR(cfg.guests[i].modules[0].path, "linux/initrd.cpio");
		CHECK(strstr(cfg.guests[i].cmdline, "console=ttyS0") != NULL);
	}
	free(readme);
	free(cfg_file);
}
