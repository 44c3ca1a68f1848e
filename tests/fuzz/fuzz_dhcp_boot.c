/*
 * libFuzzer target: the boot server and file from a DHCPv4/BOOTP reply (hv/dhcp_boot.c),
 * the network's say in what hv.efi loads over PXE. Input: the reply, any bytes (the
 * firmware's copy is 1472 bytes; the target runs with -max_len=1500).
 * Properties, against a model written from hv/dhcp_boot.h and RFC 2131/2132:
 * - only pkt[0..len) is read (an exact-size heap copy under ASan);
 * - the result equals the model: with the magic cookie at 236, the options area from 240,
 *   then the file field (option 52 bit 0) and the sname field (bit 1) are scanned, each up
 *   to END or a truncated option, the first occurrence of an option counting; the server
 *   is siaddr unless it is 0.0.0.0, else option 54; the file is option 67, else the file
 *   field unless overloaded, up to its first NUL and at most 255 bytes; no server or an
 *   empty file is an error, as is a reply shorter than 236 bytes;
 * - the file name is bytes of the packet, NUL-terminated in out->file;
 * - a failure leaves out->file "" and err one printable line.
 */
#include "hv/dhcp_boot.h"
#include "tests/fuzz/fuzz_util.h"

struct model {
	int overload; /* -1: not seen */
	const uint8_t *server_id, *bootfile;
	size_t bootfile_len;
};

static void model_scan(const uint8_t *p, size_t len, struct model *m)
{
	for (size_t i = 0; i < len;) {
		uint8_t code = p[i];
		if (code == 255)
			return;
		if (code == 0) {
			i++;
			continue;
		}
		if (len - i < 2 || len - i - 2 < p[i + 1])
			return; /* truncated: ends the area */
		uint8_t olen = p[i + 1];
		const uint8_t *d = p + i + 2;
		if (code == 52 && olen == 1 && m->overload <= 0)
			m->overload = d[0];
		else if (code == 54 && olen == 4 && !m->server_id)
			m->server_id = d;
		else if (code == 67 && olen && !m->bootfile) {
			m->bootfile = d;
			m->bootfile_len = olen;
		}
		i += 2 + (size_t)olen;
	}
}

static void model_name(char *dst, const uint8_t *src, size_t len)
{
	size_t n = 0;
	while (n < len && n < 255 && src[n]) {
		dst[n] = (char)src[n];
		n++;
	}
	dst[n] = 0;
}

static int model(const uint8_t *pkt, size_t len, uint8_t server[4], char file[256])
{
	static const uint8_t cookie[4] = { 99, 130, 83, 99 };
	struct model m = { -1, NULL, NULL, 0 };
	memset(server, 0, 4);
	file[0] = 0;
	if (len < 236)
		return -1;
	if (len >= 240 && !memcmp(pkt + 236, cookie, 4)) {
		model_scan(pkt + 240, len - 240, &m);
		if (m.overload > 0 && (m.overload & 1))
			model_scan(pkt + 108, 128, &m);
		if (m.overload > 0 && (m.overload & 2))
			model_scan(pkt + 44, 64, &m);
	}
	int ov = m.overload > 0 ? m.overload : 0;
	const uint8_t *si = pkt + 20;
	const uint8_t *srv = (si[0] | si[1] | si[2] | si[3]) ? si : m.server_id;
	if (!srv)
		return -1;
	memcpy(server, srv, 4);
	if (m.bootfile)
		model_name(file, m.bootfile, m.bootfile_len);
	else if (!(ov & 1))
		model_name(file, pkt + 108, 128);
	return file[0] ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *pkt = fuzz_copy(data, size);
	struct dhcp_boot_info out, out2;
	char err[160], err2[160];
	uint8_t want_server[4];
	char want_file[256];
	memset(&out, 0xa5, sizeof(out));
	err[0] = err2[0] = 0;
	int rc = dhcp_boot_info(pkt, size, &out, err, sizeof(err));
	int m = model(pkt, size, want_server, want_file);
	if (fuzz_verbose())
		fprintf(stderr, "dhcp_boot: %d %u.%u.%u.%u '%s' %s (model %d '%s')\n", rc, out.server[0],
			out.server[1], out.server[2], out.server[3], rc ? "" : out.file, rc ? err : "",
			m, want_file);
	FUZZ_CHECK(rc == m);
	if (rc == 0) {
		FUZZ_CHECK(!memcmp(out.server, want_server, 4) && !strcmp(out.file, want_file));
		size_t n = strlen(out.file);
		FUZZ_CHECK(n >= 1 && n <= 255);
		bool in_pkt = false;
		for (size_t i = 0; !in_pkt && i + n <= size; i++)
			in_pkt = !memcmp(pkt + i, out.file, n);
		FUZZ_CHECK(in_pkt);
	} else {
		FUZZ_CHECK(out.file[0] == 0 && err[0] && fuzz_printable_line(err, sizeof(err)));
	}
	FUZZ_CHECK(dhcp_boot_info(pkt, size, &out2, err2, sizeof(err2)) == rc);
	FUZZ_CHECK(!strcmp(err, err2) && !memcmp(out.server, out2.server, 4) &&
		   !strcmp(out.file, out2.file));
	free(pkt);
	return 0;
}
