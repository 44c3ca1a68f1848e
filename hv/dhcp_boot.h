/*
 * The boot server and boot file name from the DHCPv4 reply hv.efi was PXE-booted with
 * (boot/efi_pxe.c reads the firmware's copy of it), chosen as UEFI PXE firmware chooses them
 * (edk2 PxeBcDhcp4BootInfo): the server is the reply's siaddr ("next server", RFC 2131 2),
 * else its server identifier (option 54, RFC 2132 9.7); the file is option 67 (RFC 2132
 * 9.5), else the BOOTP file field unless option 52 overloads it with options (RFC 2132 9.3).
 * PXE boot-server lists (vendor option 43) are not followed.
 */
#ifndef HV_DHCP_BOOT_H
#define HV_DHCP_BOOT_H

#include "hv/types.h"

#define DHCP_FIELD_SIADDR 20
#define DHCP_FIELD_SNAME 44
#define DHCP_FIELD_FILE 108
#define DHCP_FIELD_MAGIC 236
#define DHCP_FIELD_OPTIONS 240

struct dhcp_boot_info {
	uint8_t server[4]; /* IPv4 address, network order */
	char file[256];    /* NUL-terminated; bytes as the server sent them */
};

/* Parses len bytes of a DHCPv4/BOOTP reply (any content). 0, or -1 with a one-line err
 * (too short, no server address, no boot file name). */
int dhcp_boot_info(const uint8_t *pkt, size_t len, struct dhcp_boot_info *out, char *err,
		   size_t errlen);

#endif
