/*
 * hv.cfg: which guest runs on which CPU. The file format is described at the
 * top of hv/config_parse.c. The built-in default configuration is plain text
 * that goes through the same parser, so there is only one way a guest gets
 * configured.
 */
#ifndef HV_CONFIG_H
#define HV_CONFIG_H

#include "hv/types.h"

#define HV_MAX_GUESTS 64
#define HV_MAX_MODULES 8
#define HV_NAME_MAX 32
#define HV_PATH_MAX 128
#define HV_CMDLINE_MAX 256
#define HV_CPU_ALL 0xffffffffu

enum hv_on_finish { HV_FINISH_POWEROFF, HV_FINISH_HALT, HV_FINISH_REBOOT };

struct hv_module_cfg {
	char path[HV_PATH_MAX];
	char cmdline[HV_CMDLINE_MAX];
};

struct hv_guest_cfg {
	char name[HV_NAME_MAX];
	uint32_t cpu;               /* logical CPU index or HV_CPU_ALL */
	uint64_t memory;            /* bytes */
	char kernel[HV_PATH_MAX];
	char cmdline[HV_CMDLINE_MAX];
	uint32_t nmodules;
	struct hv_module_cfg modules[HV_MAX_MODULES];
	bool xcr0_set;
	uint64_t xcr0;
	uint32_t xcr0_line;         /* line of the xcr0 key, for config_check_xcr0 */
	uint64_t timeout_ms;        /* [guest] timeout: stopped when it is up (0 = no limit) */
	/* The first bad value of a key whose mistakes stop only this guest (config_parse), or
	 * xcr0 bits this CPU lacks (config_check_xcr0): "hv.cfg:LINE: what". The guest is
	 * reported and not started; the others run. Empty when there is none. */
	char error[160];
	uint32_t line;              /* line of the [guest] header, for later messages */
};

/* About 230 KiB: callers keep it in static storage, never on a stack. */
#define HV_NO_DEBUG_FAULT 0xffffffffu
/* Faults made on purpose, to exercise diagnostics and containment (tests, bring-up). */
struct hv_debug {
	/* [hv] debug_fault_cpu: that CPU's hypervisor faults before running its guest. */
	uint32_t fault_cpu;
	/* [hv] debug_bad_entry = CPU state|control: that CPU's first VM entry is given a
	 * guest state (or a control) the CPU must refuse. */
	uint32_t bad_entry_cpu;
	bool bad_entry_control;
	/* [hv] debug_nmi_cpu: a CPU without a guest sends NMIs to that CPU while its guest runs. */
	uint32_t nmi_cpu;
	/* [hv] debug_pending_irq: that CPU has a physical interrupt pending in its local APIC
	 * at takeover (the drain must take it) and again when it enters its guest (it must
	 * never reach the guest). */
	uint32_t pending_irq_cpu;
	/* [hv] debug_stack_overflow_cpu: that CPU's hypervisor overflows its stack on purpose. */
	uint32_t stack_overflow_cpu;
	/* [hv] debug_vmx_msr_lists = 1 | check: every CPU's VMX capabilities are read as if it
	 * lacked the "load IA32_EFER"/"load IA32_PAT" controls, so EFER and PAT switch through
	 * the MSR autoload lists; check also verifies, at every slow exit, what they loaded. */
	uint8_t vmx_msr_lists;
	/* [hv] debug_stop_cpu: a CPU without a guest asks that CPU's hypervisor, through a host
	 * interrupt, to stop its guest (hv/vcpu_request.c), about 50 ms after it started. */
	uint32_t stop_cpu;
	/* [hv] debug_dirty_xstate_cpu: that CPU leaves non-init values in the guest's extended
	 * state just before the product resets it for the guest (hv/xstate.c). */
	uint32_t dirty_xstate_cpu;
	/* [hv] debug_gdb_end_cpu: that CPU's guest ends (stopped) when gdb hands it the stub
	 * (thread N, Hg), before it serves: the session must go on without it (hv/gdb_stop.c). */
	uint32_t gdb_end_cpu;
};
/* No debug key set. */
#define HV_DEBUG_NONE                                                                        \
	{                                                                                    \
		.fault_cpu = HV_NO_DEBUG_FAULT, .bad_entry_cpu = HV_NO_DEBUG_FAULT,           \
		.nmi_cpu = HV_NO_DEBUG_FAULT, .pending_irq_cpu = HV_NO_DEBUG_FAULT,          \
		.stack_overflow_cpu = HV_NO_DEBUG_FAULT, .stop_cpu = HV_NO_DEBUG_FAULT,      \
		.dirty_xstate_cpu = HV_NO_DEBUG_FAULT, .gdb_end_cpu = HV_NO_DEBUG_FAULT,     \
	}
#define HV_DEBUG_MSR_LISTS_ON 1
#define HV_DEBUG_MSR_LISTS_CHECK 2

struct hv_config {
	enum hv_on_finish on_finish;
	/* [hv] smt = shared: different guests may run on threads of one core (default: refused,
	 * config_check_smt). */
	bool smt_shared;
	/* [hv] gdb = off: no gdb stub on COM2 (default com2: the stub listens there when the
	 * port exists, hv/gdb_stop.c). */
	bool gdb_off;
	/* [hv] debug_late_ap: the boot CPU gives up on that AP before sending its SIPIs, so the
	 * AP arrives at a closed trampoline and must park (arch/x86/smp.c). Kept out of struct
	 * hv_debug, which is initialized positionally elsewhere. */
	uint32_t debug_late_ap;
	struct hv_debug debug;
	uint32_t nguests;
	struct hv_guest_cfg guests[HV_MAX_GUESTS];
};

/*
 * Parse text[0..len) (not NUL-terminated necessarily). Returns 0, or -1 with
 * err filled ("SOURCE:LINE: what was wrong"); on error *out is incomplete and
 * must not be used. err may be NULL when errlen is 0.
 */
int config_parse(const char *source, const char *text, size_t len, struct hv_config *out,
		 char *err, size_t errlen);

/*
 * Expand a `cpu = all` guest into one copy per CPU: named NAME-<cpu> (NAME
 * alone when ncpus == 1), with the CPUs beyond HV_MAX_GUESTS left without a
 * guest. Then check every guest's cpu < ncpus. Returns 0 or -1 with err filled.
 * Calling it again on a placed configuration changes nothing.
 */
int config_place(const char *source, struct hv_config *cfg, uint32_t ncpus, char *err,
		 size_t errlen);

/* The guest assigned to a cpu, or NULL. Meant for a placed configuration. */
const struct hv_guest_cfg *config_guest_for_cpu(const struct hv_config *cfg, uint32_t cpu);

const char *config_on_finish_name(enum hv_on_finish f);

/*
 * Every guest whose configured xcr0 sets bits the CPU lacks (supported:
 * CPUID.(EAX=0DH,ECX=0):EDX:EAX) gets an error naming the line of its xcr0 key
 * (hv_guest_cfg.error, unless it has one already): that guest is not started, the
 * others are. Returns how many guests it marked.
 */
uint32_t config_check_xcr0(const char *source, struct hv_config *cfg, uint64_t supported);
/*
 * Refuse two different [guest] sections on threads of one core (SMT siblings: APIC IDs that
 * agree above the low smt_bits, hv/cpu_topology.h) unless cfg->smt_shared. The copies of a
 * cpu = all guest are one guest. apic_ids[i] is logical CPU i's. For a placed configuration;
 * 0, or -1 with err naming both guests and both CPUs.
 */
int config_check_smt(const char *source, const struct hv_config *cfg, const uint32_t *apic_ids,
		     uint32_t ncpus, unsigned smt_bits, char *err, size_t errlen);

#endif
