/* CPUID view, XCR0 rules, the virtual UART and the end-of-run summary. */
#include <string.h>
#include "hv/cpuid_policy.h"
#include "hv/debug_nmi.h"
#include "hv/guest_run.h"
#include "hv/host_cpu.h"
#include "hv/log.h"
#include "hv/percpu.h"
#include "hv/xcr0_policy.h"
#include "tests/host/fake_arch.h"
#include "tests/host/harness.h"

TEST(cpuid_hides_virtualization_and_reports_one_cpu)
{
	struct cpuid_table t;
	struct cpuid_guest_info g = { 2, 64 << 20, 0x7, 0, { ~0u, ~0ull }, NULL, 0, 0 };
	cpuid_table_build(&t, host_cpuid, &g);
	struct cpuid_value l1 = cpuid_lookup(&t, 1, 0);
	CHECK(l1.ecx & CPUID_1_ECX_HYPERVISOR);
	CHECK(!(l1.ecx & (CPUID_1_ECX_VMX | CPUID_1_ECX_X2APIC | CPUID_1_ECX_OSXSAVE)));
	CHECK_EQ(l1.ebx >> 16, 1); /* APIC ID 0, one logical processor */
	CHECK(!(cpuid_lookup(&t, 0x80000001u, 0).ecx & (CPUID_81_ECX_SVM | CPUID_81_ECX_TCE)));
	CHECK(cpuid_lookup(&t, 0x80000001u, 0).ecx & BIT(0)); /* LAHF/SAHF kept */
	CHECK_EQ(cpuid_lookup(&t, 0x80000008u, 0).ebx & CPUID_88_EBX_HIDDEN, 0);
	struct cpuid_value svm = cpuid_lookup(&t, 0x8000000au, 0);
	CHECK(!svm.eax && !svm.ebx && !svm.edx);
	CHECK(!(cpuid_lookup(&t, 7, 0).ebx & CPUID_7_EBX_TSC_ADJUST));
	CHECK_EQ(cpuid_lookup(&t, 0xd, 2).eax, 0x100); /* subleaf-indexed leaves keep subleaves */
	CHECK_EQ(cpuid_lookup(&t, 0xd, 5).eax, 0);
	CHECK_EQ(cpuid_lookup(&t, 0xb, 1).ecx, (2u << 8) | 1);
	CHECK_EQ(cpuid_lookup(&t, 0xb, 7).ecx, 7);
	CHECK_EQ(cpuid_lookup(&t, 0x40000001u, 0).ebx, 2);
	CHECK_EQ(cpuid_lookup(&t, 0x40000001u, 0).ecx, 64);
	CHECK_EQ(cpuid_lookup(&t, 0x40000002u, 0).eax, 0);
	CHECK_EQ(cpuid_lookup(&t, 0x1000, 0).eax, 0); /* beyond the basic range */
	CHECK_EQ(cpuid_lookup(&t, 0x80000009u, 0).eax, 0);
}

TEST(xcr0_architectural_rules)
{
	uint64_t all = 0x602e7; /* x87 SSE AVX AVX-512 PKRU AMX */
	CHECK(xcr0_valid(0x1, all));
	CHECK(xcr0_valid(0x3, all));
	CHECK(xcr0_valid(0x7, all));
	CHECK(!xcr0_valid(0x0, all));  /* x87 always */
	CHECK(!xcr0_valid(0x2, all));
	CHECK(!xcr0_valid(0x5, all));  /* AVX needs SSE */
	CHECK(xcr0_valid(0xe7, all));
	CHECK(!xcr0_valid(0x67, all)); /* AVX-512 needs all three */
	CHECK(!xcr0_valid(0xe3, all)); /* AVX-512 needs AVX */
	CHECK(xcr0_valid(0x600e7, all));
	CHECK(!xcr0_valid(0x400e7, all)); /* AMX needs both tile bits */
	CHECK(xcr0_valid(0x1f, all | 0x18));
	CHECK(!xcr0_valid(0xf, all | 0x18));  /* MPX needs both bits */
	CHECK(!xcr0_valid(0x207, 0x7));       /* not permitted */
	CHECK_EQ(xcr0_guest_allowed(0x602e7, false, 0), 0x2e7); /* default: all but AMX */
	CHECK_EQ(xcr0_guest_allowed(0x602e7, true, 0x60007), 0x60007);
	CHECK_EQ(xcr0_guest_allowed(0x7, true, 0xff), 0x7);
}

static char console_buf[4096];
static size_t console_len;
static void capture(const char *s, size_t n)
{
	if (console_len + n < sizeof(console_buf)) {
		memcpy(console_buf + console_len, s, n);
		console_len += n;
		console_buf[console_len] = 0;
	}
}

TEST(vuart_prints_whole_lines_with_name_and_filters_control_chars)
{
	struct vuart u;
	console_len = 0;
	console_set_sink(capture);
	vuart_init(&u, "g1");
	const char *text = "hi\x1b[2J\r\nnext";
	for (const char *p = text; *p; p++)
		vuart_write(&u, 0, (uint8_t)*p);
	CHECK(!strcmp(console_buf, "[g1] hi.[2J\n"));
	vuart_flush(&u);
	CHECK(strstr(console_buf, "[g1] next\n") != NULL);
	vuart_write(&u, 3, 0x80); /* DLAB */
	vuart_write(&u, 0, 0x0c);
	CHECK_EQ(vuart_read(&u, 0), 0x0c);
	CHECK_EQ(console_len, strlen(console_buf)); /* divisor write printed nothing */
	for (int i = 0; i < 450; i++)
		vuart_write(&u, 3, 0), vuart_write(&u, 0, 'x');
	CHECK(strstr(console_buf, "[g1] xxxx") != NULL); /* long lines are split, never lost */
	console_set_sink(NULL);
}

TEST(run_summary_counts_and_finishes_once)
{
	console_len = 0;
	console_set_sink(capture);
	struct vcpu *a = fake_vcpu_new(4 << 20), *b = fake_vcpu_new(4 << 20);
	guest_run_init(2, &fake_backend, HV_FINISH_HALT,
		       &(struct hv_debug)HV_DEBUG_NONE);
	vcpu_exit_status(a, 0);
	a->exits[EXIT_CPUID] = 5;
	fake_finish_how = -1;
	fake_platform_armed = true;
	if (setjmp(fake_platform_jmp) == 0)
		guest_finished(a);
	CHECK_EQ(fake_finish_how, -1);
	vcpu_stop(b, "triple fault (shutdown)");
	if (setjmp(fake_platform_jmp) == 0)
		guest_finished(b);
	fake_platform_armed = false;
	CHECK_EQ(fake_finish_how, HV_FINISH_HALT);
	CHECK(strstr(console_buf, "hv: guest fake cpu 0: passed\n") != NULL);
	CHECK(strstr(console_buf, "hv: guest fake exits: 5 total cpuid=5\n") != NULL);
	CHECK(strstr(console_buf, "hv: guest fake cpu 0: stopped (triple fault (shutdown))\n") != NULL);
	CHECK(strstr(console_buf, "hv: all guests done: 1 passed, 1 failed\n") != NULL);
	fake_vcpu_free(a);
	fake_vcpu_free(b);
	console_set_sink(NULL);
}

/* The exit-port convention in the end lines: skipped guests are counted apart, failed
 * ones show the QEMU-style status and the value written. */
TEST(run_summary_counts_skipped_apart)
{
	console_len = 0;
	console_set_sink(capture);
	struct vcpu *v[4];
	static const uint32_t values[4] = { 38, 0, 0x77, 38 };
	guest_run_init(4, &fake_backend, HV_FINISH_HALT, &(struct hv_debug)HV_DEBUG_NONE);
	fake_finish_how = -1;
	fake_platform_armed = true;
	for (int i = 0; i < 4; i++) {
		v[i] = fake_vcpu_new(4 << 20);
		v[i]->cpu = (uint32_t)i;
		vcpu_exit_status(v[i], values[i]);
		if (setjmp(fake_platform_jmp) == 0)
			guest_finished(v[i]);
	}
	fake_platform_armed = false;
	CHECK_EQ(fake_finish_how, HV_FINISH_HALT);
	CHECK(strstr(console_buf, "hv: guest fake cpu 0: skipped\n") != NULL);
	CHECK(strstr(console_buf, "hv: guest fake cpu 1: passed\n") != NULL);
	CHECK(strstr(console_buf, "hv: guest fake cpu 2: failed (status 239, exit-port value 0x77)\n") !=
	      NULL);
	CHECK(strstr(console_buf, "hv: all guests done: 1 passed, 1 failed, 2 skipped\n") != NULL);
	for (int i = 0; i < 4; i++)
		fake_vcpu_free(v[i]);
	console_set_sink(NULL);
}

/* [hv] debug_nmi_cpu: the sender is the lowest-numbered CPU without a guest, never the
 * target, and there is none when the target has no guest. */
TEST(debug_nmi_sender_choice)
{
	static struct vcpu a, b;
	memset(hv_cpus, 0, sizeof(hv_cpus));
	hv_ncpus = 4;
	hv_cpus[0].vcpu = &a; /* guests on 0 and 2; 1 and 3 free */
	hv_cpus[2].vcpu = &b;
	CHECK(debug_nmi_sender(1, 2));
	CHECK(!debug_nmi_sender(3, 2));
	CHECK(!debug_nmi_sender(0, 2));
	CHECK(debug_nmi_sender(1, 0));
	CHECK(!debug_nmi_sender(1, 1)); /* target without a guest */
	CHECK(!debug_nmi_sender(1, 7)); /* no such CPU */
	hv_cpus[1].vcpu = hv_cpus[3].vcpu = &a;
	CHECK(!debug_nmi_sender(1, 2)); /* every CPU has a guest: nobody sends */
	memset(hv_cpus, 0, sizeof(hv_cpus));
	hv_ncpus = 0;
}
