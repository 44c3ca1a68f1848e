/* Printable names of the normalized exit kinds (exit summaries, diagnostics). */
#include "hv/vm_exit.h"

static const char *const names[EXIT_KIND_COUNT] = {
	[EXIT_CPUID] = "cpuid",       [EXIT_HYPERCALL] = "hypercall", [EXIT_IO] = "io",
	[EXIT_MSR_READ] = "rdmsr",    [EXIT_MSR_WRITE] = "wrmsr",     [EXIT_HLT] = "hlt",
	[EXIT_XSETBV] = "xsetbv",     [EXIT_SHUTDOWN] = "shutdown",   [EXIT_NPF] = "npf",
	[EXIT_FORBIDDEN] = "forbidden", [EXIT_EXCEPTION] = "exception", [EXIT_HOST_EVENT] = "host-event",
	[EXIT_HOST_IRQ] = "host-irq",
	[EXIT_BAD_STATE] = "bad-state", [EXIT_UNKNOWN] = "unknown",   [EXIT_HIDDEN_INSN] = "hidden-insn",
	[EXIT_WBINVD] = "wbinvd",     [EXIT_INVD] = "invd",           [EXIT_RDPMC] = "rdpmc",
	[EXIT_IRQ_WINDOW] = "irq-window", [EXIT_NMI_WINDOW] = "nmi-window",
};

const char *exit_kind_name(enum exit_kind k)
{
	return (unsigned)k < EXIT_KIND_COUNT && names[k] ? names[k] : "?";
}
