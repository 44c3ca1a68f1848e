/*
 * The monitor's `xstate NAME`: the guest's extended-state registers (SDM vol. 1 13: XCR0,
 * IA32_XSS, IA32_XFD / IA32_XFD_ERR of 13.14), the XSAVE area sizes for its XCR0 in both
 * formats, the hypervisor's copy of its area, and the components in use (XINUSE, read
 * with XGETBV ECX = 1 on the guest's CPU, 13.6). Values from a snapshot its own CPU takes.
 */
#include "hv/fmt.h"
#include "hv/lib.h"
#include "hv/monitor_cmds.h"
#include "hv/vcpu.h"
#include "hv/xsave_layout.h"

static struct guest_state st;

/* XSAVE state components (SDM vol. 1 13.1). */
static const char *const component_names[] = {
	"x87", "SSE", "AVX", "MPX-BNDREGS", "MPX-BNDCSR", "AVX-512-opmask", "AVX-512-ZMM_Hi256",
	"AVX-512-Hi16_ZMM", "PT", "PKRU", "PASID", "CET_U", "CET_S", "HDC", "UINTR", "LBR",
	"HWP", "AMX-TILECFG", "AMX-TILEDATA",
};

static void components(uint64_t mask, char *buf, size_t size)
{
	size_t n = 0;
	buf[0] = 0;
	for (unsigned i = 0; i < 64 && n < size; i++) {
		if (!(mask & BIT(i)))
			continue;
		if (i < ARRAY_SIZE(component_names))
			n += (size_t)hv_snprintf(buf + n, size - n, " %s", component_names[i]);
		else
			n += (size_t)hv_snprintf(buf + n, size - n, " bit%u", i);
	}
	if (!mask)
		hv_snprintf(buf, size, " none");
}

static void run_xstate(unsigned argc, char **argv)
{
	(void)argc;
	struct vcpu *v = mon_guest("xstate", argv[1]);
	if (!v || !mon_snapshot("xstate", v, &st))
		return;
	char names[256];
	components(st.xcr0, names, sizeof(names));
	mon_printf("guest %s cpu %u: XCR0 0x%llx (%s), permitted 0x%llx\n", v->cfg->name, v->cpu,
		   (unsigned long long)st.xcr0, names + 1, (unsigned long long)v->xcr0_allowed);
	mon_printf("IA32_XSS 0x%llx (denied to guests: #GP)\n", (unsigned long long)st.xss);
	if (st.has_xfd)
		mon_printf("IA32_XFD 0x%llx IA32_XFD_ERR 0x%llx\n", (unsigned long long)st.xfd,
			   (unsigned long long)st.xfd_err);
	else
		mon_printf("IA32_XFD, IA32_XFD_ERR: not offered (this CPU has no XFD)\n");
	const struct xsave_area *a = &v->xs.area;
	if (a->layouts && a->nlayouts) {
		const struct xsave_layout *l = &a->layouts[0];
		if (xsave_has_xsavec(l))
			mon_printf("XSAVE size for XCR0: %u bytes standard format, %u compacted "
				   "(XSAVEC)\n", xsave_std_size(l, st.xcr0),
				   xsave_compacted_size(l, st.xcr0));
		else
			mon_printf("XSAVE size for XCR0: %u bytes standard format (no XSAVEC: no "
				   "compacted format)\n", xsave_std_size(l, st.xcr0));
	}
	if (v->xs.has_area)
		mon_printf("hypervisor's copy: %u bytes, %s format, laid out for 0x%llx\n", a->size,
			   a->compacted ? "compacted" : "standard", (unsigned long long)a->mask);
	else
		mon_printf("hypervisor's copy: none\n");
	if (st.has_xinuse) {
		components(st.xinuse, names, sizeof(names));
		mon_printf("in use (XINUSE, not in their init state): 0x%llx (%s)\n",
			   (unsigned long long)st.xinuse, names + 1);
	} else {
		mon_printf("in use: unknown (this CPU has no XGETBV with ECX = 1)\n");
	}
}

const struct monitor_cmd mon_cmd_xstate = {
	"xstate", "NAME", "XCR0, XSS, XFD, XSAVE sizes and format, components in use", 1, 1,
	run_xstate,
};
