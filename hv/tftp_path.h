/*
 * TFTP file names for network boot (boot/efi_pxe.c): hv.cfg's kernel and module paths are
 * relative to the directory of the boot file hv.efi was loaded as, exactly as on a disk they
 * are relative to hv.efi's folder (\EFI\BOOT\).
 *
 * Rules (README "Booting over the network (PXE)"):
 * - The directory is the boot file name up to and including its last '/' or '\' ("" when it
 *   has none), kept as the server gave it. Paths from hv.cfg take its separator: '\' when the
 *   boot file uses only '\' (a Windows-style server), '/' otherwise; both '/' and '\' in a
 *   config path separate components.
 * - A path starting with '/' or '\' is relative to the server's TFTP root (as on a disk it is
 *   relative to the volume's root): it is sent without the directory and without the leading
 *   separators.
 * - Empty components and "." are dropped ("a//./b" is "a/b"); ".." is refused: it would
 *   leave the TFTP root or the boot directory, and servers refuse it anyway.
 * - Bytes below 0x20, 0x7f and bytes >= 0x80 are refused (TFTP names are netascii, RFC 1350),
 *   in the boot file name too. The whole name, NUL excluded, is at most TFTP_NAME_MAX - 1
 *   bytes: a read request with its options must fit in one 512-byte TFTP packet.
 *
 * Both functions are pure (no firmware, no allocation) and take NUL-terminated strings of
 * any content; on failure err gets a one-line reason (printable ASCII) and out is "".
 */
#ifndef HV_TFTP_PATH_H
#define HV_TFTP_PATH_H

#include "hv/types.h"

#define TFTP_NAME_MAX 256 /* bytes, NUL included */

/* The directory of boot_file. 0, or -1 with err. dir gets at most TFTP_NAME_MAX bytes. */
int tftp_boot_dir(const char *boot_file, char *dir, size_t dirlen, char *err, size_t errlen);

/* The name to request for path (from hv.cfg) given the boot directory dir (from
 * tftp_boot_dir). 0, or -1 with err. */
int tftp_path_join(const char *dir, const char *path, char *out, size_t outlen, char *err,
		   size_t errlen);

#endif
