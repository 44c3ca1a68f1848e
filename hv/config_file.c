/* hv.cfg: a missing file means the built-in default; an unreadable one stops the boot. */
#include "hv/config_file.h"
#include "hv/fmt.h"

enum config_origin config_origin(int read_result, const char *read_err, char *err, size_t errlen)
{
	if (read_result == FILE_READ_OK)
		return CONFIG_FROM_FILE;
	if (read_result == FILE_READ_NOT_FOUND)
		return CONFIG_FROM_DEFAULT;
	hv_escape(err, errlen, read_err && *read_err ? read_err : "hv.cfg: cannot be read");
	return CONFIG_UNREADABLE;
}
