/*
 * hv.efi entry: everything that needs the firmware happens here, then
 * ExitBootServices, then the hypervisor owns the machine (boot/takeover.c).
 */
#include "arch/x86/cpu.h"
#include "arch/x86/console_irq.h"
#include "arch/x86/host_ioapics.h"
#include "arch/x86/gdb_irq.h"
#include "arch/x86/smp.h"
#include "arch/x86/tsc_calibrate.h"
#include "arch/x86/wall_clock.h"
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
#include "hv/rtc_time.h"

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
	char read_err[200] = "";
	switch (config_origin(efi_read_file("hv.cfg", &text, &len, read_err, sizeof(read_err)),
			      read_err, err, sizeof(err))) {
	case CONFIG_FROM_FILE:
		break;
	case CONFIG_FROM_DEFAULT:
		hv_printf("hv: %s: using the built-in config\n", read_err);
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
	host_ioapics_plan(efi_find_rsdp()); /* the I/O APICs to mask at takeover */
	console_irq_plan(efi_find_rsdp()); /* where COM1's IRQ arrives, while the tables are sure */
	gdb_irq_plan(efi_find_rsdp());     /* and COM2's, for the gdb stub */
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
	const char *how;
	uint64_t khz = tsc_calibrate_khz(efi_find_rsdp(), &how);
	if (!khz) {
		/* Last resort: the firmware's delay, which may return late (tsc_calibrate.h). */
		uint64_t t0 = rdtsc();
		efi_st->BootServices->Stall(10000);
		khz = (rdtsc() - t0) / 10;
		how = "UEFI Stall, may be inexact";
	}
	tsc_khz = khz ? khz : 1000;
	tsc_per_us = tsc_khz / 1000 ? tsc_khz / 1000 : 1;
	hv_printf("hv: TSC %llu.%03llu MHz (%s)\n", (unsigned long long)(tsc_khz / 1000),
		  (unsigned long long)(tsc_khz % 1000), how);
}

/* The guests' RTC time (hv/vrtc.h): the firmware's clock now, as its RTC counts it (local
 * or UTC, whatever the machine keeps), without time-zone conversion, as a PC's RTC reads. */
static void read_wall_clock(void)
{
	EFI_TIME t;
	if (EFI_ERROR(efi_st->RuntimeServices->GetTime(&t, NULL)) || t.Year < 1970 || t.Month < 1 ||
	    t.Month > 12 || t.Day < 1 || t.Day > 31 || t.Hour > 23 || t.Minute > 59 || t.Second > 59) {
		hv_printf("hv: firmware clock unreadable: guests' RTC starts at 1970-01-01\n");
		wall_clock_set(0);
		return;
	}
	wall_clock_set(rtc_days_from_civil(t.Year, t.Month, t.Day) * 86400 + t.Hour * 3600u +
		       t.Minute * 60u + t.Second);
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

	calibrate_tsc(); /* before the files: efi_pxe.c times its transfers */
	read_wall_clock();
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
	if (boot_reserve(&config, &boot_plan))
		fail("not enough memory");
	boot_prepare_guests(&config, &boot_plan);
	hv_printf("hv: %u CPUs, %u guests, on_finish %s; exiting boot services\n", hv_ncpus,
		  config.nguests, config_on_finish_name(config.on_finish));
	if (efi_exit_boot_services())
		fail("ExitBootServices failed");
	boot_takeover(&boot_plan, &config);
}
