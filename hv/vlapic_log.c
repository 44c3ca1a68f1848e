/* The core's once-per-guest messages about its virtual local APIC (hv/vlapic_log.h). */
#include "hv/fmt.h"
#include "hv/log.h"
#include "hv/vcpu.h"
#include "hv/vlapic_log.h"

static const char *const dm_names[8] = { "fixed", "lowest-priority", "SMI", "remote-read",
					 "NMI", "INIT", "start-up", "ExtINT" };
static const char *const shorthand_names[4] = { "", "self", "all including self",
						"all excluding self" };

void vlapic_log_events(struct vcpu *v)
{
	struct vlapic *a = &v->lapic;
	if (!a->dropped_ipis || a->logged_drop)
		return;
	a->logged_drop = true;
	if (!log_once_allowed(v))
		return;
	uint32_t lo = a->first_dropped_icr_lo, sh = (lo >> 18) & 3;
	char dest[48];
	if (sh)
		hv_snprintf(dest, sizeof(dest), "%s", shorthand_names[sh]);
	else
		hv_snprintf(dest, sizeof(dest), "%s destination 0x%x",
			    (lo & BIT(11)) ? "logical" : "physical", a->first_dropped_dest);
	hv_printf("hv: guest %s: %s IPI (vector 0x%x) to %s dropped: a guest cannot reach another "
		  "core; logged once\n", v->cfg->name, dm_names[(lo >> 8) & 7], lo & 0xff, dest);
}

void vlapic_log_base_move(struct vcpu *v, uint64_t val)
{
	if (v->lapic.logged_base_move)
		return;
	v->lapic.logged_base_move = true;
	if (!log_once_allowed(v))
		return;
	hv_printf("hv: guest %s: IA32_APIC_BASE write 0x%llx refused (#GP): the APIC base stays at "
		  "0x%llx, moving it is not supported; logged once\n", v->cfg->name,
		  (unsigned long long)val,
		  (unsigned long long)(v->lapic.apic_base & APIC_BASE_ADDR_MASK));
}
