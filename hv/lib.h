/*
 * The few C library functions the hypervisor uses. Declared with the standard
 * signatures so host builds (tests) link against libc, while hv.efi links
 * hv/lib_string.c.
 */
#ifndef HV_LIB_H
#define HV_LIB_H

#include "hv/types.h"

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

/* Copy at most size-1 bytes and always NUL-terminate; returns strlen(src). */
size_t hv_strlcpy(char *dst, const char *src, size_t size);

#endif
