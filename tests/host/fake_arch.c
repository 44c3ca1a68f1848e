/* The fake arch layer (see fake_arch.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hv/config.h"
#include "hv/host_cpu.h"
#include "hv/msr_policy.h"
#include "hv/platform.h"
#include "hv/percpu.h"
#include "tests/host/fake_arch.h"

/* A small AMD-like CPU: max basic leaf 0xd, SVM, XSAVE with x87/SSE/AVX. */
static const struct fake_cpuid_entry default_table[] = {
	{ 0, 0, { 0xd, 0x68747541, 0x444d4163, 0x69746e65 } },
	{ 1, 0, { 0x00a00f11, 0x04100800, 0x7ed8320b | (1u << 5), 0x178bfbff } },
	{ 7, 0, { 0, 0x219c07ab | (1u << 1), 0x0040069c, 0 } },
	{ 0xd, 0, { 0x7, 0x340, 0x340, 0 } },
	{ 0xd, 1, { 0x1, 0, 0, 0 } },
	{ 0xd, 2, { 0x100, 0x240, 0, 0 } },
	{ 0x80000000u, 0, { 0x80000008u, 0, 0, 0 } },
	{ 0x80000001u, 0, { 0, 0, 0x75c237ff, 0x2fd3fbff } },
	{ 0x80000008u, 0, { 0x3030, 0x0100d000, 0x7003, 0 } }, /* EBX: IBPB IBRS STIBP SSBD */
	{ 0x8000000au, 0, { 1, 16, 0, 0x9 } },
};
const struct fake_cpuid_entry *fake_cpuid_table = default_table;
size_t fake_cpuid_count = sizeof(default_table) / sizeof(default_table[0]);
uint64_t fake_xcr0_supported = 0x7;
uint64_t fake_xcr0 = 1;
int fake_xsetbv_calls;
jmp_buf fake_platform_jmp;
bool fake_platform_armed;
int fake_finish_how = -1;

cpuid_source_fn fake_cpuid_override;

struct cpuid_value host_cpuid(uint32_t leaf, uint32_t subleaf)
{
	if (fake_cpuid_override)
		return fake_cpuid_override(leaf, subleaf);
	for (size_t i = 0; i < fake_cpuid_count; i++)
		if (fake_cpuid_table[i].leaf == leaf && fake_cpuid_table[i].subleaf == subleaf)
			return fake_cpuid_table[i].v;
	return (struct cpuid_value){ 0, 0, 0, 0 };
}

uint64_t host_xcr0_supported(void)
{
	return fake_xcr0_supported;
}

void host_xsetbv(uint32_t index, uint64_t value)
{
	(void)index;
	fake_xcr0 = value;
	fake_xsetbv_calls++;
}

uint64_t fake_msr[2]; /* IA32_XFD, IA32_XFD_ERR */
int fake_xrstor_calls;

uint64_t host_xgetbv0(void)
{
	return fake_xcr0;
}

uint64_t fake_xinuse; /* host_xgetbv1() returns fake_xcr0 & fake_xinuse */

uint64_t host_xgetbv1(void)
{
	return fake_xcr0 & fake_xinuse;
}

/* XRSTOR restores or initializes only RFBM = XCR0 AND EDX:EAX (SDM vol. 1 13.8); a
 * component i in RFBM with XSTATE_BV[i] = 0 (header at byte 512) goes to its init state. */
uint64_t fake_xrstor_rfbm, fake_xrstor_init, fake_xrstor_xfd;

void host_xrstor(const void *area, uint64_t mask)
{
	uint64_t xstate_bv;
	memcpy(&xstate_bv, (const uint8_t *)area + 512, sizeof(xstate_bv));
	fake_xrstor_rfbm = mask & fake_xcr0;
	fake_xrstor_init = fake_xrstor_rfbm & ~xstate_bv;
	fake_xrstor_xfd = fake_msr[0];
	fake_xrstor_calls++;
}

/* TILERELEASE: the XCR0 and XFD it ran with (it #UDs without both AMX bits in XCR0 and
 * #NMs with XFD[18] set: SDM vol. 2B). */
int fake_tilerelease_calls;
uint64_t fake_tilerelease_xcr0, fake_tilerelease_xfd;

void host_tilerelease(void)
{
	fake_tilerelease_xcr0 = fake_xcr0;
	fake_tilerelease_xfd = fake_msr[0];
	fake_tilerelease_calls++;
}

uint64_t host_rdmsr(uint32_t msr)
{
	return msr == 0x1c4 ? fake_msr[0] : msr == 0x1c5 ? fake_msr[1] : 0;
}

void host_wrmsr(uint32_t msr, uint64_t value)
{
	if (msr == 0x1c4)
		fake_msr[0] = value;
	else if (msr == 0x1c5)
		fake_msr[1] = value;
}

const void *fake_writeback_base;
uint64_t fake_writeback_size;
int fake_writeback_calls;

void host_cache_writeback(const void *base, uint64_t size)
{
	fake_writeback_base = base;
	fake_writeback_size = size;
	fake_writeback_calls++;
}

void platform_park(void)
{
	if (fake_platform_armed)
		longjmp(fake_platform_jmp, 1);
	abort();
}

/* The platform's CPU table (boot/takeover.c on the machine); tests fill it as needed. */
struct percpu hv_cpus[HV_MAX_CPUS];
uint32_t hv_ncpus;

void platform_send_nmi(uint32_t apic_id)
{
	(void)apic_id;
}

uint32_t fake_kicks, fake_kick_apic_id;
void (*fake_kick_hook)(uint32_t apic_id);

void platform_kick(uint32_t apic_id)
{
	fake_kicks++;
	fake_kick_apic_id = apic_id;
	if (fake_kick_hook)
		fake_kick_hook(apic_id);
}

void platform_wait_interrupt(void)
{
}

void platform_delay_us(uint64_t us)
{
	(void)us;
}

uint64_t fake_rtc_seconds;

uint64_t platform_rtc_seconds(void)
{
	return fake_rtc_seconds;
}

uint64_t platform_tsc_khz(void)
{
	return FAKE_TSC_KHZ;
}

bool platform_leave_irq_pending(uint8_t vector)
{
	(void)vector;
	return true;
}

void platform_finish(enum hv_on_finish how)
{
	fake_finish_how = how;
	if (fake_platform_armed)
		longjmp(fake_platform_jmp, 2);
	abort();
}

uint64_t fake_tsc = 1000000;
uint64_t fake_timer_deadline, fake_timer_reach;
int fake_timer_arms;

uint64_t fake_tsc_step;

uint64_t host_rdtsc(void)
{
	fake_tsc += fake_tsc_step;
	return fake_tsc;
}

uint64_t platform_timer_arm(uint64_t host_tsc_deadline)
{
	fake_timer_arms++;
	fake_timer_deadline = host_tsc_deadline;
	if (fake_timer_reach && host_tsc_deadline > fake_timer_reach)
		fake_timer_deadline = fake_timer_reach;
	return fake_timer_deadline;
}

static void fake_event_state(struct vcpu *v, struct guest_events *s)
{
	*s = ((struct fake_guest *)v->arch)->ev;
	s->if_set = ((struct fake_guest *)v->arch)->mode.rflags & 0x200;
}

static void fake_inject_event(struct vcpu *v, bool nmi, uint8_t vector)
{
	struct fake_guest *g = v->arch;
	if (g->ev.queued) {
		/* An event on top of a queued one: the core must never do this. */
		fprintf(stderr, "fake inject_event: an event injected on top of a queued one\n");
		abort();
	}
	g->ev.queued = true;
	g->injects++;
	g->nmi_injects += nmi;
	g->last_vector = vector;
}

static void fake_request_window(struct vcpu *v, bool irq, bool nmi)
{
	struct fake_guest *g = v->arch;
	g->win_irq = irq;
	g->win_nmi = nmi;
	g->window_calls++;
}

static void fake_wait_interrupt(struct vcpu *v)
{
	struct fake_guest *g = v->arch;
	g->waits++;
	if (g->on_wait) {
		g->on_wait(v);
		return;
	}
	if (!fake_timer_deadline) {
		fprintf(stderr, "fake wait_interrupt: no host timer armed, the CPU would halt for good\n");
		abort();
	}
	if (fake_tsc < fake_timer_deadline)
		fake_tsc = fake_timer_deadline;
	fake_timer_deadline = 0; /* fired */
}

static void fake_read_mode(struct vcpu *v, struct guest_mode *m)
{
	*m = ((struct fake_guest *)v->arch)->mode;
}

static int fake_field_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	struct fake_guest *g = v->arch;
	g->field_reads++;
	if (msr == 0xc0000080u)
		*val = g->efer;
	else if (msr == 0x277)
		*val = g->pat;
	else
		return -1;
	return 0;
}

static int fake_field_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
	struct fake_guest *g = v->arch;
	g->field_writes++;
	if (msr == 0xc0000080u)
		g->efer = val;
	else if (msr == 0x277)
		g->pat = val;
	else if (msr != 0x10)
		return -1;
	return 0;
}

static void fake_set_intercept(struct vcpu *v, enum intercept_kind what, bool on)
{
	struct fake_guest *g = v->arch;
	if (what == INTERCEPT_XFD_WRITE)
		g->xfd_write_intercept = on;
	else
		g->nm_intercept = on;
}

static void fake_read_segment(struct vcpu *v, enum guest_seg seg, struct guest_segment *s)
{
	*s = ((struct fake_guest *)v->arch)->segs[seg];
}

static void fake_inject_fault(struct vcpu *v, uint8_t vector, uint32_t error, uint64_t cr2)
{
	struct fake_guest *g = v->arch;
	g->faults++;
	g->fault_vector = vector;
	g->fault_error = error;
	g->fault_cr2 = cr2;
}

/* The backend's part of a snapshot (hv/guest_state.h): mode and ES..GS from the fields the
 * other fake ops use, everything else from g->state as the test filled it. */
static void fake_snapshot(struct vcpu *v, struct guest_state *st)
{
	struct fake_guest *g = v->arch;
	const struct guest_state *a = &g->state;
	g->snapshots++;
	st->rsp = a->rsp;
	st->cr2 = a->cr2;
	st->pat = a->pat;
	st->dr6 = a->dr6;
	st->dr7 = a->dr7;
	st->gdtr = a->gdtr;
	st->idtr = a->idtr;
	st->kernel_gs_base = a->kernel_gs_base;
	st->star = a->star;
	st->lstar = a->lstar;
	st->cstar = a->cstar;
	st->sfmask = a->sfmask;
	st->sysenter_cs = a->sysenter_cs;
	st->sysenter_esp = a->sysenter_esp;
	st->sysenter_eip = a->sysenter_eip;
	st->queued = a->queued;
	st->shadow = g->ev.shadow;
	st->nmi_blocked = g->ev.nmi_blocked;
	st->rip = g->mode.rip;
	st->rflags = g->mode.rflags;
	st->cr0 = g->mode.cr0;
	st->cr3 = g->mode.cr3;
	st->cr4 = g->mode.cr4;
	st->efer = g->mode.efer;
	st->cpl = g->mode.cpl;
	st->cs_bits = g->mode.cs_bits;
	for (int i = 0; i < GUEST_SEG_COUNT; i++)
		st->seg[i] = a->seg[i];
	for (int i = 0; i < 6; i++)
		st->seg[i].hidden = g->segs[i];
}

/* A restart's backend part (hv/guest_restart.c): counted; fails when fake_reset_fails. */
int fake_resets;
bool fake_reset_fails;
static int fake_vcpu_reset(struct vcpu *v, char *err, size_t errlen)
{
	(void)v;
	fake_resets++;
	if (fake_reset_fails)
		snprintf(err, errlen, "fake reset refused");
	return fake_reset_fails ? -1 : 0;
}

static void fake_cpuid_caps(struct vcpu *v, struct cpuid_backend_caps *caps)
{
	(void)v;
	caps->insns = ~0u;
	caps->cr4 = ~0ull;
}

const struct virt_backend fake_backend = {
	.name = "fake",
	.vcpu_reset = fake_vcpu_reset,
	.cpuid_caps = fake_cpuid_caps,
	.read_mode = fake_read_mode,
	.msr_field_read = fake_field_read,
	.msr_field_write = fake_field_write,
	.set_intercept = fake_set_intercept,
	.event_state = fake_event_state,
	.inject_event = fake_inject_event,
	.request_window = fake_request_window,
	.wait_interrupt = fake_wait_interrupt,
	.read_segment = fake_read_segment,
	.inject_fault = fake_inject_fault,
	.snapshot = fake_snapshot,
};

static struct hv_guest_cfg fake_cfg = { .name = "fake", .memory = 4 << 20 };

struct vcpu *fake_vcpu_new(uint64_t mem_size)
{
	struct vcpu *v = calloc(1, sizeof(*v));
	struct fake_guest *g = calloc(1, sizeof(*g));
	v->be = &fake_backend;
	v->arch = g;
	v->cfg = &fake_cfg;
	v->mem.base = calloc(1, mem_size);
	v->mem.size = mem_size;
	v->ports_seen = calloc(1, 8192);
	vuart_init(&v->uart, "fake");
	vpic_init(&v->pic);
	vrtc_init(&v->rtc);
	msr_emulate_reset(v);
	vlapic_init(&v->lapic, 0, 1000000, 1000000);
	vioapic_attach(v);
	struct cpuid_guest_info info = { 3, mem_size, 0x7, 0, { ~0u, ~0ull }, NULL, 0, 0 };
	cpuid_table_build(&v->cpuid, host_cpuid, &info);
	v->xcr0_allowed = 0x7;
	g->mode.cr0 = 0x11;
	g->mode.cs_bits = 32;
	for (int i = 0; i < 6; i++) /* flat 4 GiB read/write data segments (0x93, G, D/B) */
		g->segs[i] = (struct guest_segment){ 0, 0xffffffffu, 0xc093, false };
	return v;
}

struct vm_exit fake_exit(enum exit_kind k, uint32_t len)
{
	struct vm_exit e;
	memset(&e, 0, sizeof(e));
	e.kind = k;
	e.insn_len = len;
	return e;
}

enum exit_action fake_msr_exit(struct vcpu *v, uint32_t index, bool write, uint64_t val)
{
	struct vm_exit e;
	memset(&e, 0, sizeof(e));
	e.kind = write ? EXIT_MSR_WRITE : EXIT_MSR_READ;
	e.insn_len = 2;
	e.msr.index = index;
	v->gprs.rcx = index;
	v->gprs.rax = (uint32_t)val;
	v->gprs.rdx = val >> 32;
	return hv_handle_exit(v, &e);
}

void fake_vcpu_free(struct vcpu *v)
{
	free(v->mem.base);
	free(v->ports_seen);
	free(v->arch);
	free(v);
}
