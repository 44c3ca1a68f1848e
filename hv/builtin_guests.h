/* Guest kernels built into hv.efi (guest/builtin.asm), named in configs as builtin:NAME. */
#ifndef HV_BUILTIN_GUESTS_H
#define HV_BUILTIN_GUESTS_H

#include "hv/types.h"

#define BUILTIN_PREFIX "builtin:"

/* The built-in image called name (without the prefix): 0, or -1 if there is none. */
int builtin_guest_find(const char *name, const void **data, size_t *size);

/* The configuration used when no hv.cfg sits beside hv.efi. */
extern const char builtin_default_config[];

#endif
