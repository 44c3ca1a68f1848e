/*
 * hv.efi entry: everything that needs the firmware happens here, then
 * ExitBootServices, then the hypervisor owns the machine (boot/takeover.c).
 */
#include "arch/x86/cpu.h"
#include "arch/x86/smp.h"
#include "boot/boot.h"
#include "boot/efi.h"
#include "drivers/acpi_madt.h"
#include "drivers/lapic.h"
#include "drivers/uart16550.h"
#include "hv/builtin_guests.h"
#include "hv/config.h"
#include "hv/config_file.h"
#include "hv/console.h"
#include "hv/cpu_topology.h"
#include "hv/host_cpu.h"
#include "hv/lib.h"
#include "hv/log.h"
#include "hv/page_alloc.h"

EFI_SYSTEM_TABLE *efi_st;
EFI_HANDLE efi_image;
struct boot_plan boot_plan;
static struct hv_config config;
static const char *config_source = "hv.cfg";

static void console_to_uart(const char *s, size_t n)
{
	uart_write(s, n);
}

static NORETURN void fail(const char *what)
{
	hv_printf("hv: %s; nothing started\n", what);
	efi_st->RuntimeServices->ResetSystem(EfiResetShutdown, EFI_ABORTED, 0, NULL);
	cpu_park();
}

static void load_config(void)
{
	void *text;
	size_t len;
	char err[200];
	char read_err[200];
	switch (config_origin(efi_read_file("hv.cfg", &text, &len, read_err, sizeof(read_err)),
			      read_err, err, sizeof(err))) {
	case CONFIG_FROM_FILE:
		break;
	case CONFIG_FROM_DEFAULT:
		config_source = "built-in config";
		text = (void *)builtin_default_config;
		len = strlen(builtin_default_config);
		break;
	case CONFIG_UNREADABLE:
		hv_printf("hv: %s\n", err);
		fail("configuration error");
	}
	hv_printf("hv: configuration: %s\n", config_source);
	if (config_parse(config_source, text, len, &config, err, sizeof(err))) {
		hv_printf("hv: %s\n", err);
		fail("configuration error");
	}
}

static void find_cpus(void)
{
	uint32_t ids[HV_MAX_CPUS];
	char err[160];
	lapic_init();
	uint32_t bsp = lapic_id();
	int n = acpi_madt_cpus(efi_find_rsdp(), ids, HV_MAX_CPUS, err, sizeof(err));
	if (n < 0) {
		n = efi_mp_cpus(ids, HV_MAX_CPUS);
		hv_printf("hv: %s: %s\n", err,
			  n > 0 ? "CPUs taken from the firmware's MP Services protocol"
				: "running on the boot CPU only");
	}
	if (n < 0) {
		n = 1;
		ids[0] = bsp;
	}
	/* Logical CPU 0 is always the boot CPU; the others follow in MADT order. */
	hv_cpus[0].apic_id = bsp;
	hv_ncpus = 1;
	for (int i = 0; i < n; i++)
		if (ids[i] != bsp)
			hv_cpus[hv_ncpus++].apic_id = ids[i];
	for (uint32_t i = 0; i < hv_ncpus; i++)
		hv_cpus[i].index = i;
}

/* SMT siblings share L1D, branch predictors and other core buffers: say which CPUs are
 * siblings, and refuse two different guests on one core unless [hv] smt = shared. */
static void check_smt(void)
{
	uint32_t ids[HV_MAX_CPUS];
	char text[512], err[320];
	for (uint32_t i = 0; i < hv_ncpus; i++)
		ids[i] = hv_cpus[i].apic_id;
	unsigned bits = topo_smt_bits(host_cpuid);
	topo_siblings_text(ids, hv_ncpus, bits, text, sizeof(text));
	hv_printf("hv: SMT siblings (threads of one core, by CPU): %s\n", text);
	if (config_check_smt(config_source, &config, ids, hv_ncpus, bits, err, sizeof(err))) {
		hv_printf("hv: %s\n", err);
		fail("configuration error");
	}
}

static void calibrate_tsc(void)
{
	uint64_t t0 = rdtsc();
	efi_st->BootServices->Stall(10000);
	uint64_t per_us = (rdtsc() - t0) / 10000;
	tsc_per_us = per_us ? per_us : 1;
}

/* Called by gnu-efi's crt0 (_start) with the System V ABI after it applied the relocations. */
EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st);
EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	efi_st = st;
	efi_image = image;
	uart_init(COM1_PORT, 115200);
	console_set_sink(console_to_uart);
	console_set_nowait(uart_tx_room, uart_write_nowait);
	st->BootServices->SetWatchdogTimer(0, 0, 0, NULL);
	boot_print_banner();

	efi_files_init();
	load_config();
	find_cpus();
	char err[200];
	if (config_place(config_source, &config, hv_ncpus, err, sizeof(err))) {
		hv_printf("hv: %s\n", err);
		fail("configuration error");
	}
	config_check_xcr0(config_source, &config, host_xcr0_supported());
	/* Mistakes confined to one guest (hv/config_parse.c): said now, and again at its end. */
	for (uint32_t i = 0; i < config.nguests; i++)
		if (config.guests[i].error[0])
			hv_printf("hv: guest %s will not start: %s\n", config.guests[i].name,
				  config.guests[i].error);
	check_smt();
	calibrate_tsc();
	if (boot_reserve(&config, &boot_plan))
		fail("not enough memory");
	boot_prepare_guests(&config, &boot_plan);
	hv_printf("hv: %u CPUs, %u guests, on_finish %s; exiting boot services\n", hv_ncpus,
		  config.nguests, config_on_finish_name(config.on_finish));
	if (efi_exit_boot_services())
		fail("ExitBootServices failed");
	boot_takeover(&boot_plan, &config);
}
