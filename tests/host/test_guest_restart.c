/*
 * Guest power and restart through the core's real paths (hv/guest_power.c, hv/guest_restart.c,
 * hv/guest_setup.c guest_load, hv/vcpu_request.c, hv/guest_run.c's end lines) with the fake
 * backend: the power registers as port writes through hv_handle_exit, a restart that must
 * give back exactly the partition and start state of the first boot, a restart asked for by
 * another CPU, and how the end-of-run lines report it.
 */
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include "hv/guest_acpi.h"
#include "hv/guest_power.h"
#include "hv/guest_restart.h"
#include "hv/guest_run.h"
#include "hv/guest_setup.h"
#include "hv/log.h"
#include "hv/vcpu_request.h"
#include "tests/host/fake_arch.h"
#include "tests/host/harness.h"
#include "tests/host/mb_image_builder.h"

#define MEM MIB(4)

static char out[8192];
static size_t out_len;
static void capture(const char *s, size_t n)
{
	if (out_len + n < sizeof(out)) {
		memcpy(out + out_len, s, n);
		out_len += n;
		out[out_len] = 0;
	}
}

static struct vm_exit port_write(uint16_t port)
{
	struct vm_exit e = fake_exit(EXIT_IO, 2);
	e.io.port = port;
	e.io.size = 1;
	e.io.in = false;
	return e;
}

static enum exit_action write_port(struct vcpu *v, uint16_t port, uint8_t val)
{
	struct vm_exit e = port_write(port);
	v->gprs.rax = 0xabcd00 | val;
	return hv_handle_exit(v, &e);
}

/* A guest set up as at boot (guest_setup: the a.out test kernel at 0x200000, its tables at
 * 0xE0000), on the fake backend. */
static uint8_t img[IMG_CAP];
static struct vcpu *boot_guest(struct hv_guest_cfg *cfg, uint8_t **first)
{
	static uint8_t ports[8192];
	size_t n;
	aout_image(img, 0x1040, 0x201800, 0x205000, &n);
	struct vcpu *v = calloc(1, sizeof(*v));
	uint8_t *mem = calloc(1, MEM);
	struct blob k = { img, n };
	memset(ports, 0, sizeof(ports));
	guest_setup(v, cfg, 1, 0, mem, &k, NULL, ports);
	v->be = &fake_backend;
	v->arch = calloc(1, sizeof(struct fake_guest));
	struct cpuid_backend_caps caps;
	v->be->cpuid_caps(v, &caps);
	guest_cpuid_setup(v, &caps);
	*first = malloc(MEM);
	memcpy(*first, mem, MEM);
	return v;
}

static void free_guest(struct vcpu *v, uint8_t *first)
{
	free(v->mem.base);
	free(v->arch);
	free(v);
	free(first);
}

TEST(guest_power_off_through_the_sleep_control_register)
{
	struct vcpu *v = fake_vcpu_new(MEM);
	console_set_sink(capture);
	out_len = 0;
	/* SLP_EN without a type the DSDT offers: ignored, logged once. */
	CHECK_EQ(write_port(v, GUEST_PM_SLEEP_CONTROL_PORT, 3 << 2 | 0x20), ACT_SKIP);
	CHECK_EQ(write_port(v, GUEST_PM_SLEEP_CONTROL_PORT, 2 << 2 | 0x20), ACT_SKIP);
	CHECK(strstr(out, "sleep control register 0x604 written with SLP_TYP 3") != NULL);
	CHECK(strstr(out, "SLP_TYP 2") == NULL); /* once */
	CHECK_EQ(write_port(v, GUEST_PM_SLEEP_STATUS_PORT, 0x80), ACT_SKIP); /* WAK_STS clear */
	CHECK_EQ(write_port(v, GUEST_PM_SLEEP_CONTROL_PORT, 5 << 2), ACT_SKIP); /* no SLP_EN */
	CHECK_EQ(v->end.kind, GUEST_RUNNING);
	CHECK_EQ(write_port(v, GUEST_PM_SLEEP_CONTROL_PORT, 5 << 2 | 0x20), ACT_STOP);
	CHECK_EQ(v->end.kind, GUEST_POWERED_OFF);
	/* The SVM/VMX fast paths hand the access to the slow path, which does it again. */
	CHECK_EQ(write_port(v, GUEST_PM_SLEEP_CONTROL_PORT, 5 << 2 | 0x20), ACT_STOP);
	CHECK_EQ(v->end.kind, GUEST_POWERED_OFF);
	/* A reset written after the end restarts nothing. */
	CHECK_EQ(write_port(v, GUEST_PM_RESET_PORT, GUEST_PM_RESET_VALUE), ACT_STOP);
	CHECK(!guest_restart_wanted(v));
	CHECK(!(v->ports_seen[0x604 >> 3] & (1u << (0x604 & 7)))); /* a device, never "no device" */
	console_set_sink(NULL);
	fake_vcpu_free(v);
}

TEST(guest_reset_register_restarts_from_the_first_boot_state)
{
	struct hv_guest_cfg cfg = { .name = "r", .memory = MEM, .kernel = "k.elf" };
	uint8_t *first;
	struct vcpu *v = boot_guest(&cfg, &first);
	REQUIRE(v->end.kind == GUEST_RUNNING);
	REQUIRE(!memcmp(v->mem.base + GUEST_ACPI_RSDP_GPA, "RSD PTR ", 8)); /* tables at boot */
	REQUIRE(v->boot.entry == 0x200080);
	console_set_sink(capture);
	out_len = 0;
	/* What a run leaves behind: RAM written (its tables too), device and vCPU state. */
	memset(v->mem.base + 0x300000, 0x5a, 0x1000);
	memset(v->mem.base + GUEST_ACPI_BASE, 0xee, 64);
	v->mem.base[0x200100] ^= 0xff;
	v->gprs.rcx = 9;
	v->tsc_offset = 12345;
	v->xcr0 = 7;
	v->halted = true;
	v->window_asked = true;
	v->lapic.apic_base = 0;
	v->exits[EXIT_IO] = 5;
	v->uart.dropped = 2;
	v->limit_tsc = 1000; /* a [guest] timeout, armed at the first start */
	v->host_timer_want = 500; /* the virtual timer's deadline */
	/* The write of RESET_VALUE; another value does nothing. */
	CHECK_EQ(write_port(v, GUEST_PM_RESET_PORT, 0x0f), ACT_SKIP);
	CHECK(!guest_restart_wanted(v));
	CHECK_EQ(write_port(v, GUEST_PM_RESET_PORT, GUEST_PM_RESET_VALUE), ACT_STOP);
	CHECK_EQ(write_port(v, GUEST_PM_RESET_PORT, GUEST_PM_RESET_VALUE), ACT_STOP); /* again */
	CHECK(guest_restart_wanted(v));
	CHECK_EQ(v->end.kind, GUEST_RUNNING); /* not an end: the same guest goes on */
	CHECK_EQ(v->exits[EXIT_IO], 5 + 3);
	int resets = fake_resets;
	REQUIRE(guest_restart(v) == 0);
	CHECK_EQ(fake_resets, resets + 1);
	CHECK(!guest_restart_wanted(v));
	CHECK_EQ(v->restarts, 1);
	/* The partition is exactly as at the first boot: zeroed, tables and kernel again. */
	CHECK(!memcmp(v->mem.base, first, MEM));
	CHECK_EQ(v->boot.entry, 0x200080);
	CHECK_EQ(v->gprs.rcx, 0);
	CHECK_EQ(v->tsc_offset, 0);
	CHECK_EQ(v->xcr0, 1);
	CHECK(!v->halted && !v->window_asked);
	CHECK_EQ(v->lapic.apic_base, 0xfee00900ull); /* the virtual local APIC reset */
	CHECK_EQ(cpuid_lookup(&v->cpuid, 0x40000001u, 0).edx, 1); /* restarts so far */
	CHECK_EQ(cpuid_lookup(&v->cpuid, 0x40000001u, 0).ebx, 1); /* its CPU, as before */
	CHECK_EQ(v->exits[EXIT_IO], 5 + 3); /* the run's counts stay */
	CHECK_EQ(v->uart.dropped, 2);
	CHECK_EQ(v->host_timer_want, 1000); /* the time limit stays armed, the APIC timer goes */
	CHECK(strstr(out, "hv: guest r cpu 1: rebooted (reset register written); restart 1\n") != NULL);
	CHECK(strstr(out, "hv: guest r restarting on cpu 1 (entry 0x200080)\n") != NULL);
	/* A backend that cannot reset stops the guest with its reason. */
	fake_reset_fails = true;
	CHECK_EQ(write_port(v, GUEST_PM_RESET_PORT, GUEST_PM_RESET_VALUE), ACT_STOP);
	CHECK_EQ(guest_restart(v), -1);
	fake_reset_fails = false;
	CHECK_EQ(v->end.kind, GUEST_STOPPED);
	CHECK(strstr(v->end.reason, "restart: fake reset refused") != NULL);
	console_set_sink(NULL);
	free_guest(v, first);
}

TEST(guest_restart_asked_by_another_cpu)
{
	struct vcpu *v = fake_vcpu_new(MEM);
	uint32_t kicks = fake_kicks;
	vcpu_request_restart(v, 2, "monitor");
	CHECK_EQ(fake_kicks, kicks + 1);
	CHECK_EQ(vcpu_take_requests(v), 1); /* the run ends... */
	CHECK(guest_restart_wanted(v));     /* ...for a restart */
	CHECK(!strcmp(v->restart_reason, "restarted at the request of cpu 2 (monitor)"));
	CHECK_EQ(v->end.kind, GUEST_RUNNING);
	fake_vcpu_free(v);
	/* A guest that has ended is not brought back. */
	v = fake_vcpu_new(MEM);
	vcpu_exit_status(v, 0);
	vcpu_request_restart(v, 2, "monitor");
	vcpu_take_requests(v);
	CHECK(!guest_restart_wanted(v));
	CHECK_EQ(v->end.kind, GUEST_PASSED);
	fake_vcpu_free(v);
}

TEST(run_summary_powered_off_passes_and_restarts_are_counted)
{
	out_len = 0;
	console_set_sink(capture);
	struct vcpu *a = fake_vcpu_new(MEM), *b = fake_vcpu_new(MEM);
	a->cpu = 0;
	b->cpu = 1;
	guest_run_init(2, &fake_backend, HV_FINISH_HALT, &(struct hv_debug)HV_DEBUG_NONE);
	write_port(a, GUEST_PM_SLEEP_CONTROL_PORT, 5 << 2 | 0x20);
	a->restarts = 2;
	vcpu_exit_status(b, 0);
	b->restarts = 1;
	fake_finish_how = -1;
	fake_platform_armed = true;
	if (setjmp(fake_platform_jmp) == 0)
		guest_finished(a);
	if (setjmp(fake_platform_jmp) == 0)
		guest_finished(b);
	fake_platform_armed = false;
	CHECK(strstr(out, "hv: guest fake cpu 0: powered off after 2 restarts\n") != NULL);
	CHECK(strstr(out, "hv: guest fake cpu 1: passed after 1 restart\n") != NULL);
	CHECK(strstr(out, "hv: all guests done: 2 passed, 0 failed, 3 restarts\n") != NULL);
	fake_vcpu_free(a);
	fake_vcpu_free(b);
	console_set_sink(NULL);
}
