/* Whether hv.cfg's read result means: use the file, use the built-in default, or stop. */
#ifndef HV_CONFIG_FILE_H
#define HV_CONFIG_FILE_H

#include "hv/types.h"

/* What efi_read_file (boot/efi_files.c) returns. */
enum file_read_result {
	FILE_READ_OK = 0,
	FILE_READ_NOT_FOUND = -1, /* no such file (or no file system at all) */
	FILE_READ_ERROR = -2,     /* it exists but cannot be read: a directory, an I/O error, no memory */
};

enum config_origin { CONFIG_FROM_FILE, CONFIG_FROM_DEFAULT, CONFIG_UNREADABLE };

/*
 * The built-in default stands in only for a missing hv.cfg: a file that exists but
 * cannot be read is an error (err: read_err, which names the file and the reason),
 * never silently replaced by a configuration the operator did not write.
 */
enum config_origin config_origin(int read_result, const char *read_err, char *err, size_t errlen);

#endif
