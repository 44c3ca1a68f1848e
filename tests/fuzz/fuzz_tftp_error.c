/*
 * libFuzzer target: the one-line reason for a failed TFTP read (hv/tftp_error.c), whose
 * ERROR packet text comes from the network. Input: byte 0: kind (% 8, 7 is out of range),
 * bit 3 reading; byte 1: the TFTP error code (0-7, 255 = -1, others as is); byte 2: errlen
 * (an exact-size heap buffer: 0-255); bytes 3-18: got, total (little-endian 64-bit, also
 * the status); the rest: the server's message (up to a NUL), any bytes.
 * Properties (hv/tftp_error.h):
 * - only "file not found" (TFTP error 1) in answer to the size request counts as missing
 *   (FILE_READ_NOT_FOUND); everything else is FILE_READ_ERROR;
 * - the message is one printable line however the server's text looks, never longer than
 *   errlen (ASan), and starts with the path it is about;
 * - the same failure gives the same message.
 */
#include "hv/config_file.h"
#include "hv/tftp_error.h"
#include "tests/fuzz/fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char path[] = "guests/linux/bzImage";
	static const char name[] = "pxe/guests/linux/bzImage";
	static const char server[] = "10.0.2.2";
	if (size < 19)
		return 0;
	struct tftp_failure f = { 0 };
	f.kind = (enum tftp_failure_kind)(data[0] % 8);
	f.reading = data[0] & 8;
	f.code = data[1] == 255 ? -1 : data[1];
	memcpy(&f.got, data + 3, 8);
	memcpy(&f.total, data + 11, 8);
	f.status = f.got ^ f.total;
	f.icmp_type = data[3];
	f.icmp_code = data[4];
	size_t mlen = size - 19;
	char *msg = malloc(mlen + 1);
	FUZZ_CHECK(msg != NULL);
	memcpy(msg, data + 19, mlen);
	msg[mlen] = 0;
	f.message = data[0] & 16 ? NULL : msg;

	size_t errlen = data[2];
	char *err = malloc(errlen ? errlen : 1);
	char again[256];
	FUZZ_CHECK(err != NULL);
	if (errlen)
		err[0] = 'x';
	int rc = tftp_failure_text(path, name, server, &f, err, errlen);
	bool missing = f.kind == TFTP_FAIL_ERROR_PACKET && f.code == 1 && !f.reading;
	FUZZ_CHECK(rc == (missing ? FILE_READ_NOT_FOUND : FILE_READ_ERROR));
	if (errlen) {
		FUZZ_CHECK(fuzz_printable_line(err, errlen));
		size_t n = strlen(err), p = strlen(path);
		FUZZ_CHECK(n == errlen - 1 || (n > p + 2 && !strncmp(err, path, p) && err[p] == ':'));
		FUZZ_CHECK(tftp_failure_text(path, name, server, &f, again, sizeof(again)) == rc);
		FUZZ_CHECK(!strncmp(again, err, n));
	}
	if (fuzz_verbose())
		fprintf(stderr, "tftp_error: %d '%s'\n", rc, errlen ? err : "");
	free(err);
	free(msg);
	return 0;
}
