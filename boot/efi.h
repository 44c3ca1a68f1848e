/* GNU-EFI headers plus the boot side's shared declarations (boot/ runs until ExitBootServices). */
#ifndef BOOT_EFI_H
#define BOOT_EFI_H

#include <efi.h>
#include "hv/types.h"

extern EFI_SYSTEM_TABLE *efi_st;
extern EFI_HANDLE efi_image;

/* boot/efi_files.c: files beside hv.efi on its boot device. */
void efi_files_init(void);
/* Read path (relative to hv.efi's folder unless it starts with / or \). Returns
 * FILE_READ_OK, or FILE_READ_NOT_FOUND / FILE_READ_ERROR (hv/config_file.h) with err filled.
 * The buffer is firmware loader data: it survives ExitBootServices. */
int efi_read_file(const char *path, void **data, size_t *size, char *err, size_t errlen);
/* boot/efi_pxe.c: the same over TFTP when hv.efi was PXE-booted. efi_pxe_init: whether the
 * device has the PXE Base Code protocol (then every file comes from there, or fails). */
bool efi_pxe_init(EFI_HANDLE device);
int efi_pxe_read_file(const char *path, void **data, size_t *size, char *err, size_t errlen);

/* boot/efi_memory.c */
void *efi_alloc_pages(uint64_t bytes, uint64_t align, uint64_t max_addr);
/* Highest physical address in the memory map and the usable RAM total. */
void efi_memory_summary(uint64_t *top, uint64_t *usable);
/* Final memory map and ExitBootServices; 0 on success. */
int efi_exit_boot_services(void);
/* The ACPI RSDP from the firmware's configuration table, or NULL. */
void *efi_find_rsdp(void);
/* boot/efi_mp.c: enabled CPUs' APIC IDs from the MP Services protocol (no AP is started);
 * the count, or -1 when the firmware has no such protocol. */
int efi_mp_cpus(uint32_t *ids, int max);

#endif
