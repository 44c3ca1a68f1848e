/* Why a file could not be read over TFTP (see tftp_error.h). */
#include "hv/config_file.h"
#include "hv/fmt.h"
#include "hv/tftp_error.h"

#define TFTP_ERR_NOT_FOUND 1
#define TFTP_ERR_ACCESS 2

int tftp_failure_text(const char *path, const char *name, const char *server,
		      const struct tftp_failure *f, char *err, size_t errlen)
{
	char msg[130];
	unsigned long long got = f->got, total = f->total, status = f->status;
	switch (f->kind) {
	case TFTP_FAIL_ERROR_PACKET:
		if (f->code == TFTP_ERR_NOT_FOUND) {
			hv_snprintf(err, errlen, "%s: file not found on TFTP server %s (as '%s')%s", path,
				    server, name, f->reading ? " after it gave its size" : "");
			return f->reading ? FILE_READ_ERROR : FILE_READ_NOT_FOUND;
		}
		hv_escape(msg, sizeof(msg), f->message ? f->message : "");
		if (f->code < 0)
			hv_snprintf(err, errlen, "%s: TFTP server %s refused '%s' ('%s')", path, server,
				    name, msg);
		else
			hv_snprintf(err, errlen, "%s: TFTP server %s refused '%s': %s (TFTP error %d '%s')",
				    path, server, name,
				    f->code == TFTP_ERR_ACCESS ? "access violation" : "error", f->code, msg);
		break;
	case TFTP_FAIL_TIMEOUT:
		if (f->reading && f->got)
			hv_snprintf(err, errlen, "%s: transfer of '%s' from TFTP server %s cut off after %llu of %llu bytes (timeout)",
				    path, name, server, got, total);
		else
			hv_snprintf(err, errlen, "%s: no answer from TFTP server %s for '%s' (timeout)",
				    path, server, name);
		break;
	case TFTP_FAIL_GREW:
		hv_snprintf(err, errlen, "%s: '%s' on TFTP server %s grew during the transfer (it was %llu bytes)",
			    path, name, server, total);
		break;
	case TFTP_FAIL_SHRANK:
		hv_snprintf(err, errlen, "%s: '%s' on TFTP server %s shrank during the transfer (%llu bytes, then %llu)",
			    path, name, server, total, got);
		break;
	case TFTP_FAIL_ICMP:
		hv_snprintf(err, errlen, "%s: TFTP server %s unreachable (ICMP type %u code %u)", path,
			    server, f->icmp_type, f->icmp_code);
		break;
	case TFTP_FAIL_NO_SIZE:
		hv_snprintf(err, errlen, "%s: TFTP server %s did not give the size of '%s' (tsize option, RFC 2349; EFI status 0x%llx)",
			    path, server, name, status);
		break;
	default:
		hv_snprintf(err, errlen, "%s: reading '%s' from TFTP server %s failed (EFI status 0x%llx)",
			    path, name, server, status);
		break;
	}
	return FILE_READ_ERROR;
}
