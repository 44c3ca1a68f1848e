/* Guest RAM in NPT/EPT with the local APIC page cut out (see guest_ram_map.h). */
#include "arch/x86/guest_ram_map.h"
#include "hv/vioapic.h"
#include "hv/vlapic.h"

int guest_ram_map(struct page_pool *pool, uint64_t root, uint64_t hpa, uint64_t size,
		  const struct pt_format *fmt)
{
	if (pt_map(pool, root, 0, hpa, size, fmt))
		return -1;
	/* The tables are not in use yet: no TLB or EPT/NPT invalidation needed. */
	if (size > VIOAPIC_BASE && pt_unmap_page(pool, root, VIOAPIC_BASE, fmt))
		return -1;
	if (size > VLAPIC_DEFAULT_BASE)
		return pt_unmap_page(pool, root, VLAPIC_DEFAULT_BASE, fmt);
	return 0;
}
