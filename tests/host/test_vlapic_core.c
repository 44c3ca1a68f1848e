/* The core's side of the virtual local APIC: the MSR path (guest TSC, CPUID's APIC flag
 * following IA32_APIC_BASE.EN) and the once-per-guest messages (hv/msr_policy.c,
 * hv/vlapic_log.c), through hv_handle_exit with the fake backend. */
#include <string.h>
#include "hv/cpuid_policy.h"
#include "hv/log.h"
#include "hv/vlapic_log.h"
#include "tests/host/fake_arch.h"
#include "tests/host/harness.h"

/* The console, captured. */
static char out[2048];
static size_t out_len;
static void sink(const char *s, size_t n)
{
	size_t k = n < sizeof(out) - 1 - out_len ? n : sizeof(out) - 1 - out_len;
	memcpy(out + out_len, s, k);
	out[out_len += k] = 0;
}

static unsigned count(const char *hay, const char *needle)
{
	unsigned n = 0;
	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}


TEST(vlapic_core_apic_disable_hides_cpuid_apic_flag)
{
	struct vcpu *v = fake_vcpu_new(4 << 20);
	CHECK(cpuid_lookup(&v->cpuid, 1, 0).edx & BIT(9));
	CHECK_EQ(fake_msr_exit(v, 0x1b, true, 0xfee00000), ACT_SKIP);
	CHECK(!(cpuid_lookup(&v->cpuid, 1, 0).edx & BIT(9)));
	CHECK(!(cpuid_lookup(&v->cpuid, 0x80000001u, 0).edx & BIT(9)));
	CHECK_EQ(fake_msr_exit(v, 0x1b, true, 0xfee00800), ACT_SKIP);
	CHECK(cpuid_lookup(&v->cpuid, 1, 0).edx & BIT(9));
	CHECK_EQ(fake_msr_exit(v, 0x1b, false, 0), ACT_SKIP);
	CHECK_EQ(v->gprs.rax, 0xfee00900);
	fake_vcpu_free(v);
}

TEST(vlapic_core_base_move_and_dropped_ipi_logged_once)
{
	struct vcpu *v = fake_vcpu_new(4 << 20);
	v->lapic.x2apic_allowed = true;
	out_len = 0;
	out[0] = 0;
	console_set_sink(sink);
	CHECK_EQ(fake_msr_exit(v, 0x1b, true, 0xfec00900), ACT_INJECT_GP);
	CHECK_EQ(fake_msr_exit(v, 0x1b, true, 0xfed00900), ACT_INJECT_GP);
	/* A reserved bit: #GP without a message. */
	CHECK_EQ(fake_msr_exit(v, 0x1b, true, 0xfee00b00 | 1), ACT_INJECT_GP);
	CHECK_EQ(count(out, "hv: guest fake: IA32_APIC_BASE write 0xfec00900 refused"), 1);
	CHECK_EQ(count(out, "IA32_APIC_BASE"), 1);
	CHECK_EQ(fake_msr_exit(v, 0x1b, true, 0xfee00d00), ACT_SKIP); /* to x2APIC */
	CHECK_EQ(fake_msr_exit(v, 0x830, true, 0x000c4500), ACT_SKIP); /* INIT, all excluding self */
	CHECK_EQ(fake_msr_exit(v, 0x830, true, 0x000c0600 | 0x10), ACT_SKIP);
	CHECK_EQ(count(out, "hv: guest fake: INIT IPI (vector 0x0) to all excluding self dropped: "
			    "a guest cannot reach another core; logged once"), 1);
	CHECK_EQ(count(out, "IPI"), 1);
	CHECK_EQ(v->lapic.dropped_ipis, 2);
	console_set_sink(NULL);
	fake_vcpu_free(v);
}

TEST(vlapic_core_tsc_deadline_uses_guest_tsc)
{
	struct vcpu *v = fake_vcpu_new(4 << 20);
	v->lapic.x2apic_allowed = true;
	v->tsc_offset = 5000;
	uint64_t guest_now = fake_tsc + 5000;
	CHECK_EQ(fake_msr_exit(v, 0x1b, true, 0xfee00d00), ACT_SKIP);
	CHECK_EQ(fake_msr_exit(v, 0x80f, true, 0x1ff), ACT_SKIP);
	CHECK_EQ(fake_msr_exit(v, 0x832, true, 0x40040), ACT_SKIP); /* TSC-deadline, vector 0x40 */
	CHECK_EQ(fake_msr_exit(v, 0x6e0, true, guest_now + 100), ACT_SKIP);
	CHECK_EQ(vlapic_timer_deadline(&v->lapic), guest_now + 100);
	fake_tsc += 100;
	CHECK_EQ(fake_msr_exit(v, 0x6e0, false, 0), ACT_SKIP); /* the read polls: due now */
	CHECK_EQ(v->gprs.rax, 0);
	CHECK_EQ(vlapic_pending_vector(&v->lapic), 0x40);
	fake_vcpu_free(v);
}

static bool src_intel;
static struct cpuid_value freq_src(uint32_t leaf, uint32_t subleaf)
{
	(void)subleaf;
	if (leaf == 0)
		return src_intel ? (struct cpuid_value){ 0xd, 0x756e6547u, 0x6c65746eu, 0x49656e69u }
				 : (struct cpuid_value){ 0xd, 0x68747541u, 0x444d4163u, 0x69746e65u };
	if (leaf == 1)
		return (struct cpuid_value){ 0x906ea, 0, 0, BIT(9) };
	return (struct cpuid_value){ 0, 0, 0, 0 };
}

TEST(vlapic_cpuid_frequency_leaves)
{
	struct cpuid_table t;
	struct cpuid_guest_info g = { 0, 64 << 20, 0x3, 0, { ~0u, ~0ull }, NULL, 2993000, 2993000 };
	src_intel = true;
	cpuid_table_build(&t, freq_src, &g);
	CHECK_EQ(cpuid_lookup(&t, 0, 0).eax, 0x16); /* range grown to reach 0x16 */
	struct cpuid_value l15 = cpuid_lookup(&t, 0x15, 0);
	REQUIRE(l15.eax == 1);
	CHECK_EQ(l15.ebx, 1);
	CHECK_EQ(l15.ecx, 2993000000u);
	CHECK_EQ((uint64_t)l15.ecx * l15.ebx / l15.eax, 2993000000ull);
	struct cpuid_value l16 = cpuid_lookup(&t, 0x16, 0);
	CHECK_EQ(l16.eax, 2993);
	CHECK_EQ(l16.ebx, 2993);
	CHECK_EQ(l16.ecx, 2993);
	CHECK_EQ(cpuid_lookup(&t, 0x40000000u, 0).eax, 0x40000010u);
	CHECK_EQ(cpuid_lookup(&t, 0x40000010u, 0).eax, 2993000);
	CHECK_EQ(cpuid_lookup(&t, 0x40000010u, 0).ebx, 2993000);
	CHECK_EQ(cpuid_lookup(&t, 0x40000005u, 0).eax, 0);
	CHECK(cpuid_lookup(&t, 1, 0).ecx & BIT(24)); /* TSC-deadline: emulated, always shown */
	/* A TSC too fast for ECX: crystal not enumerated. */
	g.tsc_khz = g.bus_khz = 5000000;
	cpuid_table_build(&t, freq_src, &g);
	CHECK_EQ(cpuid_lookup(&t, 0x15, 0).ecx, 0);
	CHECK_EQ(cpuid_lookup(&t, 0x16, 0).eax, 5000);
	/* AMD: no 0x15/0x16, the basic range as the host's; the hypervisor leaf still there. */
	src_intel = false;
	cpuid_table_build(&t, freq_src, &g);
	CHECK_EQ(cpuid_lookup(&t, 0, 0).eax, 0xd);
	CHECK_EQ(cpuid_lookup(&t, 0x15, 0).ecx, 0);
	CHECK_EQ(cpuid_lookup(&t, 0x40000010u, 0).eax, 5000000);
	/* EBX is the APIC timer's (bus) clock, which need not be the TSC's. */
	g.bus_khz = 100000;
	cpuid_table_build(&t, freq_src, &g);
	CHECK_EQ(cpuid_lookup(&t, 0x40000010u, 0).eax, 5000000);
	CHECK_EQ(cpuid_lookup(&t, 0x40000010u, 0).ebx, 100000);
}

TEST(vlapic_core_dropped_ipi_by_mmio_logged)
{
	struct vcpu *v = fake_vcpu_new(4 << 20);
	out_len = 0;
	out[0] = 0;
	console_set_sink(sink);
	/* An xAPIC ICR write (hv/apic_mmio.c performs it; hv_handle_exit's EXIT_NPF case then
	 * calls vlapic_log_events): the message names the IPI, once. */
	vlapic_mmio_write(&v->lapic, 0x310, 4, 0x03000000, 0);
	vlapic_mmio_write(&v->lapic, 0x300, 4, 0x4000 | 0x600 | 0x10, 0); /* SIPI to APIC 3 */
	CHECK_EQ(v->lapic.dropped_ipis, 1);
	vlapic_log_events(v);
	vlapic_log_events(v);
	CHECK_EQ(count(out, "hv: guest fake: start-up IPI (vector 0x10) to physical destination 0x3 "
			    "dropped"), 1);
	console_set_sink(NULL);
	fake_vcpu_free(v);
}
