/* See doc_check.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tests/host/doc_check.h"

char *doc_read(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	size_t cap = 262144;
	char *file = malloc(cap);
	size_t n = fread(file, 1, cap - 1, f);
	fclose(f);
	file[n] = 0;
	return file;
}

char *doc_generate_and_compare(const char *path, size_t (*gen)(char *buf, size_t size), bool *same)
{
	char *file = doc_read(path);
	if (!file)
		return NULL;
	size_t need = gen(NULL, 0) + 1;
	char *text = malloc(need);
	gen(text, need);
	*same = !strcmp(file, text);
	free(file);
	return text;
}
