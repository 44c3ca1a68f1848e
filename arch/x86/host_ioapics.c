/*
 * The host's I/O APICs at takeover. The firmware may leave redirection entries unmasked
 * (a legacy USB or storage interrupt, the SCI, a timer routed for its own use): each such
 * device interrupt would reach a CPU as a host interrupt that no handler serves, costing a
 * VM exit each time on the CPU it names, or an endless stream from a level-triggered line
 * that stays asserted (the EOI broadcast clears remote IRR and the I/O APIC sends it again:
 * 82093AA datasheet 3.2.4, SDM vol. 3A 11.8.5). So before the hypervisor programs the
 * entries it uses (COM1, COM2) every entry of every I/O APIC is masked. No guest drives a
 * host I/O APIC: each guest has its own virtual one (hv/vioapic.c).
 *
 * Which I/O APICs: those the MADT lists (read before ExitBootServices, like the CPUs and
 * the UART routes); without a MADT (OVMF under Bochs publishes no ACPI tables) the PC's
 * standard one at 0xFEC00000, skipped quietly when nothing answers there.
 */
#include "arch/x86/host_ioapics.h"
#include "drivers/acpi_madt.h"
#include "drivers/ioapic.h"
#include "hv/log.h"

#define MAX_IOAPICS 16
#define STANDARD_IOAPIC 0xfec00000ull

static struct madt_ioapic_ref ioapics[MAX_IOAPICS];
static int n_ioapics;
static bool from_madt;

void host_ioapics_plan(const void *rsdp)
{
	char err[120];
	int n = acpi_madt_ioapics(rsdp, ioapics, MAX_IOAPICS, err, sizeof(err));
	from_madt = n > 0;
	if (n <= 0) {
		ioapics[0] = (struct madt_ioapic_ref){ .addr = STANDARD_IOAPIC };
		n = 1;
	}
	n_ioapics = n;
}

void host_ioapics_quiesce(void)
{
	for (int i = 0; i < n_ioapics; i++) {
		const struct madt_ioapic_ref *a = &ioapics[i];
		unsigned pins = 0;
		int was_open = ioapic_mask_all(a->addr, &pins);
		if (was_open < 0) {
			if (from_madt)
				hv_printf("hv: I/O APIC %u at 0x%llx (MADT) does not answer: left as it is\n",
					  a->id, (unsigned long long)a->addr);
			continue;
		}
		hv_printf("hv: I/O APIC %u at 0x%llx (GSI %u-%u): every pin masked, %d of them were "
			  "unmasked by the firmware\n", a->id, (unsigned long long)a->addr, a->gsi_base,
			  a->gsi_base + pins - 1, was_open);
	}
}
