/*
 * Reading hv.cfg, kernels and modules over TFTP when hv.efi was PXE-booted: its device
 * handle then has no file system but the PXE Base Code protocol (UEFI 2.10 24.3), whose
 * Mtftp() reads from the boot server, and whose mode data keeps the DHCP reply that named
 * the server and hv.efi's own path (hv/dhcp_boot.c). Paths are resolved by hv/tftp_path.c.
 *
 * Each file: TFTP_GET_FILE_SIZE (the tsize option, RFC 2349) to allocate, then
 * TFTP_READ_FILE into that buffer, both asking for 1468-byte blocks (RFC 2348: a 1500-byte
 * Ethernet MTU less the IPv4, UDP and TFTP headers, so no IP fragments). A server may answer
 * with a smaller size; one that refuses the option (error 8, RFC 2347) is asked again
 * without it, at 512 bytes a block. Mtftp() blocks until the file is in, so progress comes
 * from the PXE Base Code Callback protocol (UEFI 2.10 24.4), installed on the same handle
 * around each Mtftp(): the firmware calls it for every TFTP packet it receives.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/smp.h"
#include "boot/efi.h"
#include "hv/config_file.h"
#include "hv/dhcp_boot.h"
#include "hv/fmt.h"
#include "hv/lib.h"
#include "hv/log.h"
#include "hv/tftp_error.h"
#include "hv/tftp_path.h"

#define PXE_BLOCK_SIZE 1468
#define PROGRESS_STEP MIB(4)   /* a console line per 4 MiB of a large file */
#define TFTP_ERR_OPTIONS 8 /* option negotiation refused, RFC 2347 */
#define TFTP_OP_DATA 3
#define TFTP_OP_ERROR 5

static EFI_PXE_BASE_CODE *pxe;
static EFI_HANDLE pxe_handle;
static EFI_IP_ADDRESS server;
static char server_text[16];
static char boot_dir[TFTP_NAME_MAX];
static char init_error[200]; /* why PXE was found but cannot be used; every read reports it */
static bool use_blksize = true;

static struct {
	const char *path;
	uint64_t total, got, next_report;
	uint32_t last_block; /* 0x10000: none yet */
	int tftp_error;      /* error code of a TFTP ERROR packet seen by the callback, or -1 */
	char tftp_msg[128];  /* and its text */
} progress;

/* UEFI 2.10 24.4: called with each packet received during Mtftp(); it never aborts. It is
 * installed only around our own Mtftp() calls, so every packet is TFTP: fn is not checked
 * (OVMF passes the function of the PXE call before, EFI_PXE_BASE_CODE_FUNCTION_DHCP). */
static EFI_PXE_BASE_CODE_CALLBACK_STATUS EFIAPI on_packet(EFI_PXE_BASE_CODE_CALLBACK *self,
							  EFI_PXE_BASE_CODE_FUNCTION fn,
							  BOOLEAN received, UINT32 len,
							  EFI_PXE_BASE_CODE_PACKET *pkt)
{
	(void)self, (void)fn;
	if (!received || !pkt || len < 4)
		return EFI_PXE_BASE_CODE_CALLBACK_STATUS_CONTINUE;
	/* DATA: opcode, block number, data; ERROR: opcode, code, text (RFC 1350 5, big-endian). */
	const uint8_t *p = pkt->Raw;
	uint32_t op = (uint32_t)p[0] << 8 | p[1], block = (uint32_t)p[2] << 8 | p[3];
	if (op == TFTP_OP_ERROR) {
		size_t n = 0;
		for (; n + 1 < sizeof(progress.tftp_msg) && 4 + n < len && p[4 + n]; n++)
			progress.tftp_msg[n] = (char)p[4 + n];
		progress.tftp_msg[n] = 0;
		progress.tftp_error = (int)block;
	}
	if (op != TFTP_OP_DATA || block == progress.last_block)
		return EFI_PXE_BASE_CODE_CALLBACK_STATUS_CONTINUE; /* not data, or a repeat */
	progress.last_block = block;
	progress.got += len - 4;
	if (progress.total >= 2 * PROGRESS_STEP && progress.got >= progress.next_report &&
	    progress.got < progress.total) {
		hv_printf("hv: TFTP %s: %llu of %llu MiB (%llu%%)\n", progress.path,
			  (unsigned long long)(progress.got >> 20),
			  (unsigned long long)(progress.total >> 20),
			  (unsigned long long)(progress.got * 100 / progress.total));
		progress.next_report += PROGRESS_STEP;
	}
	return EFI_PXE_BASE_CODE_CALLBACK_STATUS_CONTINUE;
}

static EFI_PXE_BASE_CODE_CALLBACK callback = { EFI_PXE_BASE_CODE_CALLBACK_PROTOCOL_REVISION,
					       on_packet };

/* Without the callback (another one installed, or SetParameters refusing) the file is
 * still read, without progress lines, and a TFTP error's code is then the firmware's
 * (see mtftp_once: with OVMF's, a missing hv.cfg becomes an error, not the built-in config). */
static bool callback_on(void)
{
	EFI_GUID guid = EFI_PXE_BASE_CODE_CALLBACK_PROTOCOL_GUID;
	BOOLEAN on = TRUE;
	EFI_BOOT_SERVICES *bs = efi_st->BootServices;
	if (EFI_ERROR(bs->InstallProtocolInterface(&pxe_handle, &guid, EFI_NATIVE_INTERFACE, &callback)))
		return false;
	if (EFI_ERROR(pxe->SetParameters(pxe, NULL, NULL, NULL, NULL, &on))) {
		bs->UninstallProtocolInterface(pxe_handle, &guid, &callback);
		return false;
	}
	return true;
}

static void callback_off(void)
{
	EFI_GUID guid = EFI_PXE_BASE_CODE_CALLBACK_PROTOCOL_GUID;
	BOOLEAN off = FALSE;
	pxe->SetParameters(pxe, NULL, NULL, NULL, NULL, &off);
	efi_st->BootServices->UninstallProtocolInterface(pxe_handle, &guid, &callback);
}

/*
 * One Mtftp() with the callback on. The TFTP error that ended it: OVMF (edk2 to at least
 * 2022.11) copies its code into Mode.TftpError.ErrorCode without swapping its bytes, so every
 * code below 256 reads 0 there, and during READ_FILE it fills in neither (it compares the
 * opcode unswapped too); the callback sees the packet itself. GET_FILE_SIZE does not call
 * the callback, so a failed one is asked again as a READ_FILE into one byte, which the server
 * answers with the same error.
 */
static EFI_STATUS mtftp_once(EFI_PXE_BASE_CODE_TFTP_OPCODE op, void *buf, UINT64 *size,
			     const char *name, bool blk)
{
	static uint8_t probe;
	UINTN blksize = PXE_BLOCK_SIZE;
	UINT64 one = sizeof(probe);
	progress.tftp_error = -1;
	progress.got = 0;
	progress.next_report = PROGRESS_STEP;
	progress.last_block = 0x10000;
	bool cb = callback_on();
	EFI_STATUS st = pxe->Mtftp(pxe, op, buf, FALSE, size, blk ? &blksize : NULL, &server,
				   (UINT8 *)name, NULL, FALSE);
	if (st == EFI_TFTP_ERROR && op == EFI_PXE_BASE_CODE_TFTP_GET_FILE_SIZE && cb)
		pxe->Mtftp(pxe, EFI_PXE_BASE_CODE_TFTP_READ_FILE, &probe, FALSE, &one,
			   blk ? &blksize : NULL, &server, (UINT8 *)name, NULL, FALSE);
	if (cb)
		callback_off();
	return st;
}

/* The code of the TFTP error packet that ended the last Mtftp(), or -1. */
static int tftp_error_code(void)
{
	if (progress.tftp_error >= 0)
		return progress.tftp_error;
	return pxe->Mode->TftpErrorReceived ? pxe->Mode->TftpError.ErrorCode : -1;
}

static EFI_STATUS mtftp(EFI_PXE_BASE_CODE_TFTP_OPCODE op, void *buf, UINT64 *size, const char *name)
{
	UINT64 size_in = *size;
	EFI_STATUS st = mtftp_once(op, buf, size, name, use_blksize);
	if (st == EFI_TFTP_ERROR && use_blksize && tftp_error_code() == TFTP_ERR_OPTIONS) {
		use_blksize = false;
		hv_printf("hv: TFTP server %s refused the block size option: 512-byte blocks from now on\n",
			  server_text);
		*size = size_in;
		st = mtftp_once(op, buf, size, name, false);
	}
	return st;
}

/* The firmware's account of a failed Mtftp(), for tftp_failure_text (hv/tftp_error.c). */
static int read_failed(EFI_STATUS st, const char *path, const char *name, bool reading,
		       char *err, size_t errlen)
{
	EFI_PXE_BASE_CODE_MODE *m = pxe->Mode;
	struct tftp_failure f = { .reading = reading, .code = tftp_error_code(), .got = progress.got,
				  .total = progress.total, .status = st };
	if (st == EFI_TFTP_ERROR) {
		f.kind = TFTP_FAIL_ERROR_PACKET;
		f.message = progress.tftp_error >= 0 ? progress.tftp_msg
			    : m->TftpErrorReceived ? (const char *)m->TftpError.ErrorString : NULL;
	} else if (st == EFI_TIMEOUT) {
		f.kind = TFTP_FAIL_TIMEOUT;
	} else if (st == EFI_BUFFER_TOO_SMALL) {
		f.kind = TFTP_FAIL_GREW;
	} else if (st == EFI_ICMP_ERROR && m->IcmpErrorReceived) {
		f.kind = TFTP_FAIL_ICMP;
		f.icmp_type = m->IcmpError.Type;
		f.icmp_code = m->IcmpError.Code;
	} else {
		/* edk2 answers EFI_NOT_FOUND to a size request whose reply had no tsize option. */
		f.kind = reading ? TFTP_FAIL_OTHER : TFTP_FAIL_NO_SIZE;
	}
	return tftp_failure_text(path, name, server_text, &f, err, errlen);
}

int efi_pxe_read_file(const char *path, void **data, size_t *size, char *err, size_t errlen)
{
	char name[TFTP_NAME_MAX], why[120];
	*data = NULL;
	if (init_error[0]) {
		hv_snprintf(err, errlen, "%s: %s", path, init_error);
		return FILE_READ_ERROR;
	}
	if (tftp_path_join(boot_dir, path, name, sizeof(name), why, sizeof(why))) {
		hv_snprintf(err, errlen, "%s: cannot be read over TFTP: %s", path, why);
		return FILE_READ_ERROR;
	}
	progress.path = path;
	progress.total = 0;
	UINT64 len = 0;
	EFI_STATUS st = mtftp(EFI_PXE_BASE_CODE_TFTP_GET_FILE_SIZE, NULL, &len, name);
	if (EFI_ERROR(st))
		return read_failed(st, path, name, false, err, errlen);
	void *buf;
	if (len > (UINTN)-1 || EFI_ERROR(efi_st->BootServices->AllocatePool(EfiLoaderData, len ? len : 1, &buf))) {
		hv_snprintf(err, errlen, "%s: out of memory for %llu bytes", path, (unsigned long long)len);
		return FILE_READ_ERROR;
	}
	progress.total = len;
	UINT64 got = len, t0 = rdtsc();
	st = mtftp(EFI_PXE_BASE_CODE_TFTP_READ_FILE, buf, &got, name);
	uint64_t ms = (rdtsc() - t0) / (tsc_per_us ? tsc_per_us : 1) / 1000;
	if (!EFI_ERROR(st) && got != len) {
		struct tftp_failure f = { .kind = TFTP_FAIL_SHRANK, .reading = true, .code = -1,
					  .got = got, .total = len };
		tftp_failure_text(path, name, server_text, &f, err, errlen);
		st = EFI_ABORTED;
	} else if (EFI_ERROR(st)) {
		read_failed(st, path, name, true, err, errlen);
	}
	if (EFI_ERROR(st)) {
		efi_st->BootServices->FreePool(buf);
		return FILE_READ_ERROR;
	}
	if (ms < 100)
		hv_printf("hv: TFTP %s: %llu bytes\n", path, (unsigned long long)len);
	else
		hv_printf("hv: TFTP %s: %llu bytes in %llu.%llu s (%llu KiB/s)\n", path,
			  (unsigned long long)len, (unsigned long long)(ms / 1000),
			  (unsigned long long)(ms % 1000 / 100), (unsigned long long)(len * 1000 / 1024 / ms));
	*data = buf;
	*size = len;
	return FILE_READ_OK;
}

/* The reply that named hv.efi, in the order UEFI firmware uses it (edk2 PxeBcDhcp4BootInfo). */
static int boot_info(EFI_PXE_BASE_CODE_MODE *m, struct dhcp_boot_info *info, char *err, size_t errlen)
{
	if (m->PxeReplyReceived &&
	    !dhcp_boot_info(m->PxeReply.Raw, sizeof(m->PxeReply.Raw), info, err, errlen))
		return 0;
	if (m->ProxyOfferReceived &&
	    !dhcp_boot_info(m->ProxyOffer.Raw, sizeof(m->ProxyOffer.Raw), info, err, errlen))
		return 0;
	if (m->DhcpAckReceived)
		return dhcp_boot_info(m->DhcpAck.Raw, sizeof(m->DhcpAck.Raw), info, err, errlen);
	hv_snprintf(err, errlen, "the firmware kept no DHCP reply");
	return -1;
}

bool efi_pxe_init(EFI_HANDLE device)
{
	EFI_GUID guid = EFI_PXE_BASE_CODE_PROTOCOL_GUID;
	if (EFI_ERROR(efi_st->BootServices->HandleProtocol(device, &guid, (void **)&pxe)))
		return false;
	pxe_handle = device;
	EFI_PXE_BASE_CODE_MODE *m = pxe->Mode;
	struct dhcp_boot_info info;
	char why[160];
	if (!m->Started || m->UsingIpv6) {
		hv_snprintf(init_error, sizeof(init_error), "cannot be read over the network: %s",
			    m->UsingIpv6 ? "hv.efi was booted over IPv6, which hv does not support"
					 : "the firmware's PXE Base Code is stopped");
	} else if (boot_info(m, &info, why, sizeof(why)) ||
		   tftp_boot_dir(info.file, boot_dir, sizeof(boot_dir), why, sizeof(why))) {
		hv_snprintf(init_error, sizeof(init_error), "cannot be read over the network: %s", why);
	}
	if (init_error[0]) {
		hv_printf("hv: booted over the network, but files %s\n", init_error);
		return true;
	}
	memcpy(&server.v4, info.server, 4);
	hv_snprintf(server_text, sizeof(server_text), "%u.%u.%u.%u", info.server[0], info.server[1],
		    info.server[2], info.server[3]);
	hv_printf("hv: booted over PXE as '%s': files come from TFTP server %s, directory '%s'\n",
		  info.file, server_text, boot_dir);
	return true;
}
