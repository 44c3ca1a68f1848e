/* Helpers for the hv.cfg tests (tests/host/test_config_*.c). */
#include <stdio.h>
#include <stdlib.h>
#include "tests/host/config_test_util.h"

struct hv_config cfg;
char cfg_err[256];

int parse_n(const char *text, size_t len)
{
	char *copy = malloc(len ? len : 1);
	memcpy(copy, text, len);
	int r = config_parse("hv.cfg", copy, len, &cfg, cfg_err, sizeof(cfg_err));
	free(copy);
	return r;
}

int parse(const char *text)
{
	int r = parse_n(text, strlen(text));
	if (r)
		printf("    unexpected error: %s\n", cfg_err);
	return r;
}

const char *first_guest_error(void)
{
	for (uint32_t i = 0; i < cfg.nguests; i++)
		if (cfg.guests[i].error[0])
			return cfg.guests[i].error;
	return NULL;
}

int fails_with(const char *text, int line, const char *msg)
{
	char prefix[32];
	int r = parse_n(text, strlen(text));
	snprintf(prefix, sizeof(prefix), "hv.cfg:%d: ", line);
	/* A mistake confined to its guest: that guest's error (whatever else the text lacks). */
	const char *guest_err = first_guest_error();
	if (guest_err) {
		r = -1;
		snprintf(cfg_err, sizeof(cfg_err), "%s", guest_err);
	}
	int ok = r == -1 && !strncmp(cfg_err, prefix, strlen(prefix)) && strstr(cfg_err, msg) &&
		 !strchr(cfg_err, '\n');
	if (!ok)
		printf("    got %d '%s', wanted '%s...%s'\n", r, cfg_err, prefix, msg);
	return ok;
}
