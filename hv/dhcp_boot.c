/* Boot server and boot file name from a DHCPv4 reply (see dhcp_boot.h). */
#include "hv/dhcp_boot.h"
#include "hv/fmt.h"

#define OPT_PAD 0
#define OPT_END 255
#define OPT_OVERLOAD 52
#define OPT_SERVER_ID 54
#define OPT_BOOTFILE 67

struct found {
	uint8_t overload;
	const uint8_t *server_id; /* 4 bytes */
	const uint8_t *bootfile;
	size_t bootfile_len;
};

/* One options area (RFC 2132 2): code, length, data; pad and end have no length. A
 * truncated option ends the area. The first occurrence of each option counts. */
static void scan(const uint8_t *p, size_t len, struct found *f)
{
	size_t i = 0;
	while (i < len && p[i] != OPT_END) {
		if (p[i] == OPT_PAD) {
			i++;
			continue;
		}
		if (i + 2 > len || i + 2 + p[i + 1] > len)
			return;
		uint8_t code = p[i], olen = p[i + 1];
		const uint8_t *data = p + i + 2;
		if (code == OPT_OVERLOAD && olen == 1 && !f->overload)
			f->overload = data[0];
		else if (code == OPT_SERVER_ID && olen == 4 && !f->server_id)
			f->server_id = data;
		else if (code == OPT_BOOTFILE && olen && !f->bootfile) {
			f->bootfile = data;
			f->bootfile_len = olen;
		}
		i += 2 + (size_t)olen;
	}
}

static void copy_name(char *dst, size_t size, const uint8_t *src, size_t len)
{
	size_t n = 0;
	while (n < len && n + 1 < size && src[n])
		dst[n] = (char)src[n], n++;
	dst[n] = 0;
}

int dhcp_boot_info(const uint8_t *pkt, size_t len, struct dhcp_boot_info *out, char *err,
		   size_t errlen)
{
	static const uint8_t magic[4] = { 99, 130, 83, 99 };
	struct found f = { 0, NULL, NULL, 0 };
	out->file[0] = 0;
	for (int i = 0; i < 4; i++)
		out->server[i] = 0;
	if (len < DHCP_FIELD_MAGIC) {
		hv_snprintf(err, errlen, "the DHCP reply is %zu bytes, too short for a BOOTP header", len);
		return -1;
	}
	bool has_options = len >= DHCP_FIELD_OPTIONS;
	for (int i = 0; has_options && i < 4; i++)
		has_options = pkt[DHCP_FIELD_MAGIC + i] == magic[i];
	if (has_options) {
		scan(pkt + DHCP_FIELD_OPTIONS, len - DHCP_FIELD_OPTIONS, &f);
		if (f.overload & 1)
			scan(pkt + DHCP_FIELD_FILE, 128, &f);
		if (f.overload & 2)
			scan(pkt + DHCP_FIELD_SNAME, 64, &f);
	}
	const uint8_t *siaddr = pkt + DHCP_FIELD_SIADDR;
	const uint8_t *server = siaddr[0] | siaddr[1] | siaddr[2] | siaddr[3] ? siaddr : f.server_id;
	if (!server) {
		hv_snprintf(err, errlen, "the DHCP reply names no boot server (siaddr 0, no option 54)");
		return -1;
	}
	for (int i = 0; i < 4; i++)
		out->server[i] = server[i];
	if (f.bootfile)
		copy_name(out->file, sizeof(out->file), f.bootfile, f.bootfile_len);
	else if (!(f.overload & 1))
		copy_name(out->file, sizeof(out->file), pkt + DHCP_FIELD_FILE, 128);
	if (!out->file[0]) {
		hv_snprintf(err, errlen, "the DHCP reply names no boot file (empty file field, no option 67)");
		return -1;
	}
	return 0;
}
