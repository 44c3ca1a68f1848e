/*
 * The monitor's `regs NAME`: the guest's registers from a snapshot its own CPU takes
 * (hv/guest_state.h): general registers, RIP/RFLAGS, control registers and EFER, every
 * segment register with its hidden part, the descriptor tables, and the events pending
 * for it (the injection queued for the next entry, interrupt shadow, NMI blocking, what
 * its virtual APIC holds).
 */
#include "hv/fmt.h"
#include "hv/lib.h"
#include "hv/monitor_cmds.h"
#include "hv/vcpu.h"

static struct guest_state st; /* 1.5 KiB: not on the stack */

/* RFLAGS bits by name (SDM vol. 1 3.4.3). */
static void flag_names(uint64_t f, char *buf, size_t size)
{
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = { { 0, "CF" },  { 2, "PF" },  { 4, "AF" },  { 6, "ZF" },  { 7, "SF" },
		      { 8, "TF" },  { 9, "IF" },  { 10, "DF" }, { 11, "OF" }, { 14, "NT" },
		      { 16, "RF" }, { 17, "VM" }, { 18, "AC" }, { 19, "VIF" }, { 20, "VIP" },
		      { 21, "ID" } };
	size_t n = 0;
	buf[0] = 0;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if ((f & BIT(names[i].bit)) && n < size)
			n += (size_t)hv_snprintf(buf + n, size - n, " %s", names[i].name);
	n += (size_t)hv_snprintf(buf + MIN(n, size), size - MIN(n, size), " IOPL=%u",
				 (unsigned)(f >> 12) & 3);
}

static const char *const event_types[8] = {
	"external interrupt", "reserved type 1", "NMI", "exception",
	"software interrupt", "privileged software exception", "software exception", "other event",
};

static void print_events(const struct vcpu *v)
{
	char queued[96] = "none";
	if (st.queued.info & GUEST_EVENT_VALID) {
		int n = hv_snprintf(queued, sizeof(queued), "%s, vector %u",
				    event_types[GUEST_EVENT_TYPE(st.queued.info)],
				    GUEST_EVENT_VECTOR(st.queued.info));
		if (st.queued.info & GUEST_EVENT_HAS_ERROR)
			hv_snprintf(queued + n, sizeof(queued) - (size_t)n, ", error code 0x%x",
				    st.queued.error_code);
	}
	mon_printf("events: queued for the next entry: %s; interrupt shadow %s; NMI blocked %s; "
		   "%s\n", queued, st.shadow ? "yes" : "no", st.nmi_blocked ? "yes" : "no",
		   st.halted ? "halted (HLT)" : "not halted");
	char irq[48] = "none";
	if (st.irq_pending >= 0)
		hv_snprintf(irq, sizeof(irq), "vector 0x%x", (unsigned)st.irq_pending);
	mon_printf("local APIC (virtual): NMI pending %s; highest requested interrupt %s\n",
		   st.nmi_pending ? "yes" : "no", irq);
	(void)v;
}

static void run_regs(unsigned argc, char **argv)
{
	(void)argc;
	struct vcpu *v = mon_guest("regs", argv[1]);
	if (!v || !mon_snapshot("regs", v, &st))
		return;
	mon_printf("guest %s cpu %u: %u-bit code, CPL %u\n", v->cfg->name, v->cpu, st.cs_bits,
		   st.cpl);
	mon_printf("rax %016llx rbx %016llx rcx %016llx rdx %016llx\n",
		   (unsigned long long)st.rax, (unsigned long long)st.rbx, (unsigned long long)st.rcx,
		   (unsigned long long)st.rdx);
	mon_printf("rsi %016llx rdi %016llx rbp %016llx rsp %016llx\n",
		   (unsigned long long)st.rsi, (unsigned long long)st.rdi, (unsigned long long)st.rbp,
		   (unsigned long long)st.rsp);
	mon_printf("r8  %016llx r9  %016llx r10 %016llx r11 %016llx\n",
		   (unsigned long long)st.r8, (unsigned long long)st.r9, (unsigned long long)st.r10,
		   (unsigned long long)st.r11);
	mon_printf("r12 %016llx r13 %016llx r14 %016llx r15 %016llx\n",
		   (unsigned long long)st.r12, (unsigned long long)st.r13, (unsigned long long)st.r14,
		   (unsigned long long)st.r15);
	char flags[96];
	flag_names(st.rflags, flags, sizeof(flags));
	mon_printf("rip %016llx rflags %016llx%s\n", (unsigned long long)st.rip,
		   (unsigned long long)st.rflags, flags);
	mon_printf("cr0 %016llx cr2 %016llx cr3 %016llx cr4 %016llx\n",
		   (unsigned long long)st.cr0, (unsigned long long)st.cr2, (unsigned long long)st.cr3,
		   (unsigned long long)st.cr4);
	mon_printf("efer %016llx pat %016llx dr6 %016llx dr7 %016llx\n",
		   (unsigned long long)st.efer, (unsigned long long)st.pat, (unsigned long long)st.dr6,
		   (unsigned long long)st.dr7);
	static const char *const seg_names[GUEST_SEG_COUNT] = { "es", "cs", "ss", "ds",
								"fs", "gs", "ldtr", "tr" };
	for (unsigned i = 0; i < GUEST_SEG_COUNT; i++) {
		const struct guest_state_seg *s = &st.seg[i];
		mon_printf("%-4s %04x base %016llx limit %08x attr %04x%s\n", seg_names[i], s->sel,
			   (unsigned long long)s->hidden.base, s->hidden.limit, s->hidden.attr,
			   s->hidden.unusable ? " unusable" : "");
	}
	mon_printf("gdtr base %016llx limit %04x  idtr base %016llx limit %04x\n",
		   (unsigned long long)st.gdtr.base, st.gdtr.limit, (unsigned long long)st.idtr.base,
		   st.idtr.limit);
	mon_printf("kernel_gs_base %016llx star %016llx lstar %016llx\n",
		   (unsigned long long)st.kernel_gs_base, (unsigned long long)st.star,
		   (unsigned long long)st.lstar);
	print_events(v);
}

const struct monitor_cmd mon_cmd_regs = {
	"regs", "NAME", "the guest's registers, segments and pending events", 1, 1, run_regs,
};
