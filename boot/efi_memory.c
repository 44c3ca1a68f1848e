/* Memory reservations before ExitBootServices, and ExitBootServices itself (UEFI 2.10, 7.2, 7.4). */
#include "boot/efi.h"
#include "hv/lib.h"

void *efi_alloc_pages(uint64_t bytes, uint64_t align, uint64_t max_addr)
{
	uint64_t pages = (ALIGN_UP(bytes, PAGE_SIZE) + align - PAGE_SIZE) / PAGE_SIZE;
	EFI_PHYSICAL_ADDRESS addr = max_addr ? max_addr : ~0ull;
	EFI_STATUS st = efi_st->BootServices->AllocatePages(max_addr ? AllocateMaxAddress : AllocateAnyPages,
							    EfiLoaderData, pages, &addr);
	if (EFI_ERROR(st))
		return NULL;
	/* Over-allocated by align - 4K so an aligned start always fits; the slack stays reserved. */
	return (void *)(uintptr_t)ALIGN_UP(addr, align);
}

static EFI_MEMORY_DESCRIPTOR *get_map(UINTN *size, UINTN *key, UINTN *desc_size)
{
	UINT32 version;
	*size = 0;
	EFI_MEMORY_DESCRIPTOR *map = NULL;
	efi_st->BootServices->GetMemoryMap(size, NULL, key, desc_size, &version);
	for (int tries = 0; tries < 4; tries++) {
		*size += 8 * *desc_size + 4096;
		if (EFI_ERROR(efi_st->BootServices->AllocatePool(EfiLoaderData, *size, (void **)&map)))
			return NULL;
		if (!EFI_ERROR(efi_st->BootServices->GetMemoryMap(size, map, key, desc_size, &version)))
			return map;
		efi_st->BootServices->FreePool(map);
		map = NULL;
	}
	return NULL;
}

void efi_memory_summary(uint64_t *top, uint64_t *usable)
{
	UINTN size, key, dsize;
	*top = *usable = 0;
	EFI_MEMORY_DESCRIPTOR *map = get_map(&size, &key, &dsize);
	if (!map)
		return;
	for (UINTN off = 0; off < size; off += dsize) {
		EFI_MEMORY_DESCRIPTOR *d = (EFI_MEMORY_DESCRIPTOR *)((uint8_t *)map + off);
		uint64_t end = d->PhysicalStart + d->NumberOfPages * PAGE_SIZE;
		if (d->Type != EfiMemoryMappedIO && d->Type != EfiMemoryMappedIOPortSpace)
			*top = MAX(*top, end);
		if (d->Type == EfiConventionalMemory || d->Type == EfiBootServicesCode ||
		    d->Type == EfiBootServicesData || d->Type == EfiLoaderCode || d->Type == EfiLoaderData)
			*usable += d->NumberOfPages * PAGE_SIZE;
	}
	efi_st->BootServices->FreePool(map);
}

int efi_exit_boot_services(void)
{
	/* The map key changes whenever the map does (even by our own pool allocation), so
	 * fetch and exit in a loop (UEFI 2.10, 7.4 ExitBootServices). */
	for (int tries = 0; tries < 8; tries++) {
		UINTN size, key, dsize;
		if (!get_map(&size, &key, &dsize))
			return -1;
		if (!EFI_ERROR(efi_st->BootServices->ExitBootServices(efi_image, key)))
			return 0;
	}
	return -1;
}

void *efi_find_rsdp(void)
{
	EFI_GUID acpi20 = ACPI_20_TABLE_GUID, acpi10 = ACPI_TABLE_GUID;
	void *found = NULL;
	for (UINTN i = 0; i < efi_st->NumberOfTableEntries; i++) {
		EFI_CONFIGURATION_TABLE *t = &efi_st->ConfigurationTable[i];
		if (!memcmp(&t->VendorGuid, &acpi20, sizeof(EFI_GUID)))
			return t->VendorTable;
		if (!memcmp(&t->VendorGuid, &acpi10, sizeof(EFI_GUID)))
			found = t->VendorTable;
	}
	return found;
}
