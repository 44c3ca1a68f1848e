/* Generated docs (docs/msr-policy.md, docs/cpuid-policy.md) against their generators. */
#ifndef TESTS_HOST_DOC_CHECK_H
#define TESTS_HOST_DOC_CHECK_H

#include <stdbool.h>
#include <stddef.h>

/* What gen produces now (malloc'd, the caller frees), and in *same whether the checked-in
 * file at path (relative to the repository root, where the tests run) holds exactly that.
 * NULL when the file cannot be read. */
/* The file at path (relative to the repository root), NUL-terminated and malloc'd (the
 * caller frees), or NULL when it cannot be read. */
char *doc_read(const char *path);
char *doc_generate_and_compare(const char *path, size_t (*gen)(char *buf, size_t size), bool *same);

#endif
