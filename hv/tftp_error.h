/*
 * Why a file could not be read over TFTP (boot/efi_pxe.c), as one line naming the file, the
 * server and the reason, and whether it counts as missing: only the server's TFTP error 1
 * ("file not found", RFC 1350 5) when asked for the file's size makes it missing (for hv.cfg:
 * the built-in config is used, hv/config_file.h). Everything else is an error: another TFTP
 * error (2 access violation, ...), no answer, a transfer cut off (no answer after some data),
 * a file that grew or shrank between its size and its data, an ICMP error, a server that
 * gives no size (tsize option, RFC 2349), any other firmware status.
 */
#ifndef HV_TFTP_ERROR_H
#define HV_TFTP_ERROR_H

#include "hv/types.h"

enum tftp_failure_kind {
	TFTP_FAIL_ERROR_PACKET, /* the server sent a TFTP ERROR: code, message */
	TFTP_FAIL_TIMEOUT,      /* no answer; after got bytes when reading */
	TFTP_FAIL_GREW,         /* more data than the size it gave (total) */
	TFTP_FAIL_SHRANK,       /* the data ended at got bytes, short of total */
	TFTP_FAIL_ICMP,         /* an ICMP error: icmp_type, icmp_code */
	TFTP_FAIL_NO_SIZE,      /* the size request failed otherwise (status) */
	TFTP_FAIL_OTHER,        /* any other status */
};

struct tftp_failure {
	enum tftp_failure_kind kind;
	bool reading;           /* during the data transfer (false: the size request) */
	int code;               /* TFTP error code, or -1 when unknown */
	const char *message;    /* the server's error text (any bytes; escaped), or NULL */
	uint64_t got, total;    /* bytes received and the size the server gave */
	uint8_t icmp_type, icmp_code;
	uint64_t status;        /* the firmware's status, for NO_SIZE and OTHER */
};

/* Fills err; returns FILE_READ_NOT_FOUND or FILE_READ_ERROR (hv/config_file.h). path is
 * the name from hv.cfg, name the one requested, server the server's address as text. */
int tftp_failure_text(const char *path, const char *name, const char *server,
		      const struct tftp_failure *f, char *err, size_t errlen);

#endif
