/* Why a TFTP read failed (hv/tftp_error.c): only error 1 to the size request is "missing". */
#include <string.h>
#include "hv/config_file.h"
#include "hv/tftp_error.h"
#include "tests/host/harness.h"

static char err[300];

static int text(struct tftp_failure f)
{
	err[0] = 0;
	return tftp_failure_text("guests/a.elf", "x86/guests/a.elf", "10.0.2.2", &f, err, sizeof(err));
}

TEST(tftp_error_only_file_not_found_is_missing)
{
	CHECK_EQ(text((struct tftp_failure){ .kind = TFTP_FAIL_ERROR_PACKET, .code = 1,
					      .message = "File not found" }), FILE_READ_NOT_FOUND);
	CHECK(!strcmp(err, "guests/a.elf: file not found on TFTP server 10.0.2.2 (as 'x86/guests/a.elf')"));
	/* Gone between its size and its data: an error, not a missing file. */
	CHECK_EQ(text((struct tftp_failure){ .kind = TFTP_FAIL_ERROR_PACKET, .code = 1,
					      .reading = true }), FILE_READ_ERROR);
	CHECK(strstr(err, "file not found on TFTP server 10.0.2.2 (as 'x86/guests/a.elf') after it gave its size"));
	/* Code unknown (the firmware lost it) with the same text: an error too. */
	CHECK_EQ(text((struct tftp_failure){ .kind = TFTP_FAIL_ERROR_PACKET, .code = -1,
					      .message = "File not found" }), FILE_READ_ERROR);
	CHECK(!strcmp(err, "guests/a.elf: TFTP server 10.0.2.2 refused 'x86/guests/a.elf' ('File not found')"));
}

TEST(tftp_error_other_failures_are_errors_with_their_reason)
{
	CHECK_EQ(text((struct tftp_failure){ .kind = TFTP_FAIL_ERROR_PACKET, .code = 2,
					      .message = "Access violation" }), FILE_READ_ERROR);
	CHECK(!strcmp(err, "guests/a.elf: TFTP server 10.0.2.2 refused 'x86/guests/a.elf': access violation (TFTP error 2 'Access violation')"));
	CHECK_EQ(text((struct tftp_failure){ .kind = TFTP_FAIL_ERROR_PACKET, .code = 0,
					      .message = "no\x1b[31m" }), FILE_READ_ERROR);
	CHECK(strstr(err, ": error (TFTP error 0 'no\\x1b[31m')")); /* the server's text escaped */
	CHECK_EQ(text((struct tftp_failure){ .kind = TFTP_FAIL_TIMEOUT }), FILE_READ_ERROR);
	CHECK(!strcmp(err, "guests/a.elf: no answer from TFTP server 10.0.2.2 for 'x86/guests/a.elf' (timeout)"));
	CHECK_EQ(text((struct tftp_failure){ .kind = TFTP_FAIL_TIMEOUT, .reading = true, .got = 1468,
					      .total = 5000 }), FILE_READ_ERROR);
	CHECK(strstr(err, "transfer of 'x86/guests/a.elf' from TFTP server 10.0.2.2 cut off after 1468 of 5000 bytes (timeout)"));
	CHECK_EQ(text((struct tftp_failure){ .kind = TFTP_FAIL_GREW, .reading = true, .total = 5000 }),
		 FILE_READ_ERROR);
	CHECK(strstr(err, "grew during the transfer (it was 5000 bytes)"));
	CHECK_EQ(text((struct tftp_failure){ .kind = TFTP_FAIL_SHRANK, .reading = true, .got = 10,
					      .total = 5000 }), FILE_READ_ERROR);
	CHECK(strstr(err, "shrank during the transfer (5000 bytes, then 10)"));
	CHECK_EQ(text((struct tftp_failure){ .kind = TFTP_FAIL_ICMP, .icmp_type = 3, .icmp_code = 3 }),
		 FILE_READ_ERROR);
	CHECK(strstr(err, "TFTP server 10.0.2.2 unreachable (ICMP type 3 code 3)"));
	CHECK_EQ(text((struct tftp_failure){ .kind = TFTP_FAIL_NO_SIZE, .status = 0x800000000000000eull }),
		 FILE_READ_ERROR);
	CHECK(strstr(err, "did not give the size of 'x86/guests/a.elf' (tsize option, RFC 2349; EFI status 0x800000000000000e)"));
	CHECK_EQ(text((struct tftp_failure){ .kind = TFTP_FAIL_OTHER, .reading = true, .status = 7 }),
		 FILE_READ_ERROR);
	CHECK(strstr(err, "reading 'x86/guests/a.elf' from TFTP server 10.0.2.2 failed (EFI status 0x7)"));
}
