/* See doc_check.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tests/host/doc_check.h"

char *doc_generate_and_compare(const char *path, size_t (*gen)(char *buf, size_t size), bool *same)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	static char file[262144];
	size_t n = fread(file, 1, sizeof(file) - 1, f);
	fclose(f);
	file[n] = 0;
	size_t need = gen(NULL, 0) + 1;
	char *text = malloc(need);
	gen(text, need);
	*same = !strcmp(file, text);
	return text;
}
