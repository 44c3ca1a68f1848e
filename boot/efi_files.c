/* Reading hv.cfg, kernels and modules from hv.efi's own boot device (UEFI 2.10, 13.4, 13.5). */
#include "boot/efi.h"
#include "hv/config_file.h"
#include "hv/fmt.h"
#include "hv/lib.h"

static EFI_FILE_PROTOCOL *root;
static bool pxe; /* no file system, but PXE: files come over TFTP (boot/efi_pxe.c) */
static CHAR16 image_dir[256]; /* e.g. \EFI\BOOT\ */

void efi_files_init(void)
{
	EFI_GUID lip_guid = LOADED_IMAGE_PROTOCOL, sfs_guid = SIMPLE_FILE_SYSTEM_PROTOCOL;
	EFI_LOADED_IMAGE *li;
	EFI_FILE_IO_INTERFACE *sfs;
	EFI_BOOT_SERVICES *bs = efi_st->BootServices;
	if (EFI_ERROR(bs->HandleProtocol(efi_image, &lip_guid, (void **)&li)))
		return;
	/* Booted over the network there is no file system: files come over TFTP. */
	if (EFI_ERROR(bs->HandleProtocol(li->DeviceHandle, &sfs_guid, (void **)&sfs)) ||
	    EFI_ERROR(sfs->OpenVolume(sfs, &root))) {
		root = NULL;
		pxe = efi_pxe_init(li->DeviceHandle);
		return;
	}
	/* The image's folder: concatenate the file-path nodes, then cut after the last '\'. */
	size_t n = 0;
	for (EFI_DEVICE_PATH *dp = li->FilePath; dp && !IsDevicePathEnd(dp); dp = NextDevicePathNode(dp)) {
		if (DevicePathType(dp) != MEDIA_DEVICE_PATH || DevicePathSubType(dp) != MEDIA_FILEPATH_DP)
			continue;
		const CHAR16 *s = ((FILEPATH_DEVICE_PATH *)dp)->PathName;
		size_t chars = (DevicePathNodeLength(dp) - 4) / 2;
		for (size_t i = 0; i < chars && s[i] && n + 2 < ARRAY_SIZE(image_dir); i++) {
			if (n && image_dir[n - 1] == '\\' && s[i] == '\\')
				continue;
			image_dir[n++] = s[i];
		}
		if (n && image_dir[n - 1] != '\\' && n + 2 < ARRAY_SIZE(image_dir))
			image_dir[n++] = '\\';
	}
	/* The last node was the file name itself: drop it. */
	while (n > 1 && image_dir[n - 2] != '\\')
		n--;
	if (n)
		n--;
	image_dir[n] = 0;
}

int efi_read_file(const char *path, void **data, size_t *size, char *err, size_t errlen)
{
	CHAR16 name[512];
	size_t n = 0;
	*data = NULL;
	if (pxe)
		return efi_pxe_read_file(path, data, size, err, errlen);
	if (!root) {
		hv_snprintf(err, errlen, "%s: no file system on the boot device", path);
		return FILE_READ_NOT_FOUND;
	}
	if (path[0] != '/' && path[0] != '\\')
		for (size_t i = 0; image_dir[i] && n + 1 < ARRAY_SIZE(name); i++)
			name[n++] = image_dir[i];
	for (size_t i = 0; path[i] && n + 1 < ARRAY_SIZE(name); i++)
		name[n++] = path[i] == '/' ? '\\' : (CHAR16)path[i];
	name[n] = 0;

	EFI_FILE_PROTOCOL *f;
	EFI_STATUS st = root->Open(root, &f, name, EFI_FILE_MODE_READ, 0);
	if (st == EFI_NOT_FOUND) {
		hv_snprintf(err, errlen, "%s: file not found", path);
		return FILE_READ_NOT_FOUND;
	}
	if (EFI_ERROR(st)) { /* UEFI 2.10 13.5 Open: device error, corrupted volume, access denied... */
		hv_snprintf(err, errlen, "%s: cannot open it (EFI status 0x%llx)", path,
			    (unsigned long long)st);
		return FILE_READ_ERROR;
	}
	uint8_t info_buf[SIZE_OF_EFI_FILE_INFO + 512];
	UINTN info_size = sizeof(info_buf);
	EFI_GUID info_guid = EFI_FILE_INFO_ID;
	int rc = FILE_READ_ERROR;
	if (EFI_ERROR(f->GetInfo(f, &info_guid, &info_size, info_buf))) {
		hv_snprintf(err, errlen, "%s: cannot read its size", path);
		goto out;
	}
	/* Open succeeds on a directory too (UEFI 2.10 13.5); reading it lists entries. */
	if (((EFI_FILE_INFO *)info_buf)->Attribute & EFI_FILE_DIRECTORY) {
		hv_snprintf(err, errlen, "%s: is a directory, not a file", path);
		goto out;
	}
	UINTN len = (UINTN)((EFI_FILE_INFO *)info_buf)->FileSize;
	void *buf;
	if (EFI_ERROR(efi_st->BootServices->AllocatePool(EfiLoaderData, len ? len : 1, &buf))) {
		hv_snprintf(err, errlen, "%s: out of memory for %llu bytes", path, (unsigned long long)len);
		goto out;
	}
	UINTN got = len;
	if (EFI_ERROR(f->Read(f, &got, buf)) || got != len) {
		efi_st->BootServices->FreePool(buf);
		hv_snprintf(err, errlen, "%s: read error", path);
		goto out;
	}
	*data = buf;
	*size = len;
	rc = FILE_READ_OK;
out:
	f->Close(f);
	return rc;
}
