/* One guest vCPU, pinned to one physical CPU, and the state the core keeps for it. */
#ifndef HV_VCPU_H
#define HV_VCPU_H

#include "hv/config.h"
#include "hv/cpuid_policy.h"
#include "hv/exit_acct.h"
#include "hv/guest_state.h"
#include "hv/log_once.h"
#include "hv/multiboot_load.h"
#include "hv/spinlock.h"
#include "hv/types.h"
#include "hv/vioapic.h"
#include "hv/virt_backend.h"
#include "hv/vlapic.h"
#include "hv/vm_exit.h"
#include "hv/vpic.h"
#include "hv/vrtc.h"
#include "hv/vuart.h"
#include "hv/xstate.h"

/* Guest general-purpose registers the exit stubs save and restore. The layout
 * is shared with arch/x86/svm/svm_run.asm and vmx_run.asm: keep them in step. */
struct guest_gprs {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
};
_Static_assert(sizeof(struct guest_gprs) == 15 * 8, "guest_gprs layout is used from assembly");

/* GUEST_POWERED_OFF: the guest turned itself off (ACPI S5, hv/guest_power.h): it has ended
 * normally and counts as passed. */
enum guest_end_kind { GUEST_RUNNING, GUEST_PASSED, GUEST_FAILED, GUEST_STOPPED, GUEST_SKIPPED,
		      GUEST_POWERED_OFF };

/* A kernel or module image as read at boot (EFI pool memory, or built into hv.efi): kept
 * for the guest's restarts (hv/guest_restart.h). */
struct blob {
	const void *data;
	size_t size;
};

struct guest_end {
	enum guest_end_kind kind;
	uint32_t status;   /* exit-port value (PASSED/FAILED/SKIPPED, hv/vio.h) */
	char reason[160];  /* why it was stopped (STOPPED) */
};

struct vcpu {
	struct guest_gprs gprs; /* first: the exit stubs address it directly */
	const struct virt_backend *be;
	void *arch;             /* struct svm_vcpu / struct vmx_vcpu */
	const struct hv_guest_cfg *cfg;
	uint32_t cpu;           /* logical CPU the vCPU is pinned to */
	uint64_t mem_hpa;       /* host-physical base of the partition */
	struct guest_mem mem;   /* host view of guest-physical [0, size) */
	struct mb_boot_state boot;
	struct cpuid_table cpuid;
	struct vuart uart;
	struct vpic pic;        /* the 8259A pair, masked and idle (hv/vpic.c) */
	struct vrtc rtc;        /* the MC146818 clock at 0x70/0x71 (hv/vrtc.c) */
	struct vioapic ioapic;  /* the I/O APIC at 0xFEC00000 (hv/vioapic.c) */
	uint8_t *ports_seen;    /* 65536-bit map: unknown ports are logged once */
	struct log_once log_once; /* the cap on its logged-once messages (hv/log_once.h) */
	uint64_t tsc_offset;
	uint64_t msr_misc_enable, msr_mtrr_def_type, msr_umwait_control; /* emulated (msr_policy.c) */
	uint64_t xcr0_allowed, xcr0; /* XSETBV policy and the guest's current XCR0 */
	struct xstate_guest xs;      /* XSAVE area and XFD state (hv/xstate.c) */
	uint64_t exits[EXIT_KIND_COUNT];
	struct exit_costs costs[EXIT_KIND_COUNT]; /* filled only in HV_BENCH builds */
	enum exit_kind cur_kind;                  /* the exit being handled (HV_BENCH) */
	bool acct_live;                           /* set up and running: accounting on (HV_BENCH) */
	uint32_t floor_left, floor_len;           /* HC_BENCH_FLOOR state (HV_BENCH) */
	struct guest_end end;
	struct vlapic lapic;
	bool halted;            /* HLT with IF = 1: waiting for an interrupt (hv/vintr.c) */
	/* The host timer as hv/vintr.c last armed it: the host TSC deadline asked for (0 =
	 * disarmed) and the expiry platform_timer_arm returned. */
	uint64_t host_timer_want, host_timer_expiry;
	uint64_t limit_tsc;     /* host TSC at which [guest] timeout stops it; 0 = none (hv/time_limit.c) */
	bool window_asked;      /* the last request_window asked for a window (hv/vintr.c) */
	/* Images, power and restarts (hv/guest_setup.c guest_load, hv/guest_power.c,
	 * hv/guest_restart.c). */
	struct blob kernel_img, module_imgs[HV_MAX_MODULES];
	bool restart_due;        /* the run ends for a restart, for restart_reason */
	char restart_reason[96];
	uint32_t restarts;       /* restarts so far (CPUID 0x40000001 EDX) */
	bool sleep_type_logged;  /* a sleep type other than S5 was logged */
	uint32_t requests;      /* VCPU_REQ_*: asked by another CPU (hv/vcpu_request.c) */
	uint32_t req_from;
	const char *req_why;
	/* VCPU_REQ_SNAPSHOT (hv/vcpu_request.c): requesters take snap_lock and number their
	 * request (snap_seq); the target fills snap and then publishes the number it answered
	 * (snap_done). */
	spinlock_t snap_lock;
	uint32_t snap_seq, snap_done;
	uint32_t snap_gen; /* odd while the target fills snap (a sequence lock) */
	struct guest_state snap;
	uint64_t start_tsc, end_tsc; /* host TSC at the first VM entry / at the end (0: not yet) */
};

/* Core entry from a backend: decide what the exit means. Hot path. */
enum exit_action hv_handle_exit(struct vcpu *v, struct vm_exit *e);
/* End the guest: first reason wins. */
void vcpu_stop(struct vcpu *v, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* The guest wrote value to the exit port (hv/vio.h): passed, skipped or failed. */
void vcpu_exit_status(struct vcpu *v, uint32_t value);

#endif
