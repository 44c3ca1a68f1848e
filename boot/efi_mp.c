/*
 * CPU enumeration through the firmware's MP Services protocol (UEFI PI 1.8 vol. 2,
 * 13.4), used only when ACPI gives no MADT (Bochs's OVMF, some minimal firmware).
 * Only GetNumberOfProcessors and GetProcessorInfo are called: no AP is ever started
 * through this protocol, because APs started that way do not survive
 * ExitBootServices (../shared/PLATFORM.md). The hypervisor starts them itself.
 */
#include "boot/efi.h"
#include "hv/lib.h"

#define MP_STATUS_ENABLED 0x2u /* PROCESSOR_ENABLED_BIT */

struct efi_cpu_location {
	UINT32 package, core, thread;
};

/* EFI_PROCESSOR_INFORMATION without the PI 1.7 ExtendedInformation union, which is
 * filled only when bit 24 (CPU_V2_EXTENDED_TOPOLOGY) of the processor number is set;
 * the buffer is still sized for it in case a firmware writes it regardless. */
struct efi_processor_info {
	UINT64 processor_id; /* the local APIC ID */
	UINT32 status_flag;
	struct efi_cpu_location location;
	UINT32 extended[6];
};
_Static_assert(offsetof(struct efi_processor_info, location) == 12, "PI 13.4 layout");

struct efi_mp_services {
	EFI_STATUS(EFIAPI *get_number_of_processors)(struct efi_mp_services *self, UINTN *total,
						      UINTN *enabled);
	EFI_STATUS(EFIAPI *get_processor_info)(struct efi_mp_services *self, UINTN number,
						struct efi_processor_info *info);
	/* StartupAllAPs, StartupThisAP, SwitchBSP, EnableDisableAP, WhoAmI follow; unused. */
};

int efi_mp_cpus(uint32_t *ids, int max)
{
	EFI_GUID guid = {0x3fdda605, 0xa76e, 0x4f46, {0xad, 0x29, 0x12, 0xf4, 0x53, 0x1b, 0x3d, 0x08}};
	struct efi_mp_services *mp;
	UINTN total = 0, enabled = 0;
	if (EFI_ERROR(efi_st->BootServices->LocateProtocol(&guid, NULL, (void **)&mp)) ||
	    EFI_ERROR(mp->get_number_of_processors(mp, &total, &enabled)))
		return -1;
	int n = 0;
	for (UINTN i = 0; i < total && n < max; i++) {
		struct efi_processor_info info;
		memset(&info, 0, sizeof(info));
		if (EFI_ERROR(mp->get_processor_info(mp, i, &info)) ||
		    !(info.status_flag & MP_STATUS_ENABLED))
			continue;
		ids[n++] = (uint32_t)info.processor_id;
	}
	return n ? n : -1;
}
