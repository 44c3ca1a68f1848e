/* hv.cfg: the message for each kind of mistake, and the error buffer. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "hv/config.h"
#include "tests/host/config_test_util.h"
#include "tests/host/harness.h"

TEST(config_error_messages_exact)
{
	CHECK_ERR(G("a", "0") "\n[guest web]\ncpu = 1\nkernel = k\nmemroy = 4M\n", 9, "");
	CHECK_STR(cfg_err, "hv.cfg:9: unknown key 'memroy' in [guest web]");
	CHECK_ERR("[guest a]\ncpu = 0\nmemory = 3M\n", 3, "");
	CHECK_STR(cfg_err, "hv.cfg:3: memory '3M' is not a multiple of 2 MiB");
	CHECK_ERR(G("a", "1") G("b", "2") "[guest c]\nmemory = 4M\ncpu = 1\n", 11, "");
	CHECK_STR(cfg_err, "hv.cfg:11: cpu 1 is already used by guest 'a'");
	CHECK_ERR(G("a", "0") "\n\n\n[guest b]\ncpu = 1\nmemory = 4M\n", 8, "");
	CHECK_STR(cfg_err, "hv.cfg:8: guest 'b' has no kernel");
	CHECK_ERR("cpu = 1\n[guest a]\n", 1, "");
	CHECK_STR(cfg_err, "hv.cfg:1: text before the first section");
}

TEST(config_errors_sections)
{
	CHECK_ERR("# x\n\n  junk\n", 3, "text before the first section");
	CHECK_ERR(G("a", "0") "[foo]\n", 5, "unknown section '[foo]'");
	CHECK_ERR("[guestx]\n", 1, "unknown section '[guestx]'");
	CHECK_ERR("[hv x]\n", 1, "unknown section '[hv x]'");
	CHECK_ERR("[]\n", 1, "unknown section '[]'");
	CHECK_ERR("[guest]\n", 1, "needs a name");
	CHECK_ERR("[guest   ]\n", 1, "needs a name");
	CHECK_ERR("[guest a\n", 1, "must end with ']'");
	CHECK_ERR("[\n", 1, "must end with ']'");
	CHECK_ERR("[hv]# not a comment\n", 1, "must end with ']'");
	CHECK_ERR("[hv]\n[hv]\n", 2, "duplicate [hv] section");
	CHECK_ERR("[guest a b]\n", 1, "bad guest name 'a b'");
	CHECK_ERR("[guest a/b]\n", 1, "bad guest name 'a/b'");
	CHECK_ERR("[guest \xc3\xa9]\n", 1, "bad guest name");
	CHECK_ERR(G("a", "0") G("b", "1") G("a", "2"), 9, "duplicate guest name 'a' (first at line 1)");
	CHECK_ERR("[guest a]\nmemory = 4M\nkernel = k\n", 1, "guest 'a' has no cpu");
	CHECK_ERR("[guest a]\ncpu = 1\nkernel = k\n[hv]\n", 1, "guest 'a' has no memory");
	CHECK_ERR("[hv]\n[guest a]\ncpu = 1\nmemory = 4M\n", 2, "guest 'a' has no kernel");
	/* [hv] may come after guests. */
	CHECK(parse(G("a", "0") "[hv]\non_finish = halt\n") == 0 && cfg.on_finish == HV_FINISH_HALT);
}

TEST(config_errors_keys)
{
	CHECK_ERR("[hv]\nfoo = 1\n", 2, "unknown key 'foo' in [hv]");
	CHECK_ERR("[hv]\non_finish = halt\non_finish = halt\n", 3, "duplicate key 'on_finish' in [hv]");
	CHECK_ERR("[hv]\non_finish = Halt\n", 2, "bad on_finish 'Halt'");
	CHECK_ERR("[hv]\non_finish =\n", 2, "bad on_finish ''");
	CHECK_ERR("[guest a]\nCPU = 1\n", 2, "unknown key 'CPU' in [guest a]");
	CHECK_ERR("[guest a]\ncpu = 1\ncpu = 2\n", 3, "duplicate key 'cpu' in [guest a]");
	CHECK_ERR("[guest a]\ncmdline = x\ncmdline = y\n", 3, "duplicate key 'cmdline'");
	CHECK_ERR("[guest a]\nxcr0 = 3\nxcr0 = 3\n", 3, "duplicate key 'xcr0'");
	CHECK_ERR("[guest a]\nkernel = a\nkernel = b\n", 3, "duplicate key 'kernel'");
	CHECK_ERR("[guest a]\nmemory = 4M\nmemory = 4M\n", 3, "duplicate key 'memory'");
	CHECK_ERR("[guest a]\ncpu 1\n", 2, "expected 'key = value'");
	CHECK_ERR("[guest a]\n = 1\n", 2, "expected 'key = value'");
	CHECK_ERR("[guest a]\nkernel =\n", 2, "kernel needs a path");
	CHECK_ERR("[guest a]\nkernel = builtin:\n", 2, "builtin:");
	CHECK_ERR("[guest a]\nmodule =\n", 2, "module needs a path");
	CHECK_ERR("[guest a]\n\x01\n", 2, "invalid character 0x01");
	CHECK_ERR("[guest a]\ncmdline = a\x1b[0m\n", 2, "invalid character 0x1b");
	CHECK_ERR("[guest a]\ncmdline = \x7f\n", 2, "invalid character 0x7f");
	static const char nul[] = "[guest a]\ncpu = 1\0\nmemory = 4M\n";
	CHECK_EQ(parse_n(nul, sizeof(nul) - 1), -1);
	CHECK_STR(cfg_err, "hv.cfg:2: invalid character 0x00");
}

TEST(config_errors_numbers)
{
	CHECK_ERR("[guest a]\ncpu = x\n", 2, "bad cpu 'x'");
	CHECK_ERR("[guest a]\ncpu =\n", 2, "bad cpu ''");
	CHECK_ERR("[guest a]\ncpu = -1\n", 2, "bad cpu '-1'");
	CHECK_ERR("[guest a]\ncpu = 1.5\n", 2, "bad cpu '1.5'");
	CHECK_ERR("[guest a]\ncpu = 0x1\n", 2, "bad cpu '0x1'");
	CHECK_ERR("[guest a]\ncpu = ALL\n", 2, "bad cpu 'ALL'");
	CHECK_ERR("[guest a]\ncpu = 4294967295\n", 2, "cpu 4294967295 is out of range");
	CHECK_ERR("[guest a]\ncpu = 99999999999999999999999\n", 2, "bad cpu");
	CHECK(parse("[guest a]\ncpu = 4294967294\nmemory = 4M\nkernel = k\n") == 0 &&
	      cfg.guests[0].cpu == 4294967294u);

	CHECK_ERR("[guest a]\nmemory = abc\n", 2, "bad memory size 'abc'");
	CHECK_ERR("[guest a]\nmemory =\n", 2, "bad memory size ''");
	CHECK_ERR("[guest a]\nmemory = 32MB\n", 2, "bad memory size '32MB'");
	CHECK_ERR("[guest a]\nmemory = 32 M\n", 2, "bad memory size '32 M'");
	CHECK_ERR("[guest a]\nmemory = 32T\n", 2, "bad memory size '32T'");
	CHECK_ERR("[guest a]\nmemory = M\n", 2, "bad memory size 'M'");
	CHECK_ERR("[guest a]\nmemory = 0x400000\n", 2, "bad memory size");
	CHECK_ERR("[guest a]\nmemory = 2M\n", 2, "memory '2M' is out of range (4 MiB..64 GiB)");
	CHECK_ERR("[guest a]\nmemory = 0\n", 2, "memory '0' is out of range");
	CHECK_ERR("[guest a]\nmemory = 66G\n", 2, "memory '66G' is out of range");
	CHECK_ERR("[guest a]\nmemory = 65538M\n", 2, "out of range");
	CHECK_ERR("[guest a]\nmemory = 18446744073709551615G\n", 2, "out of range");
	CHECK_ERR("[guest a]\nmemory = 4194305\n", 2, "not a multiple of 2 MiB");
	CHECK_ERR("[guest a]\nmemory = 68719476737\n", 2, "out of range");
	CHECK_ERR("[guest a]\nmemory = 5000K\n", 2, "not a multiple of 2 MiB");
	static const struct { const char *v; uint64_t bytes; } ok[] = {
		{ "4M", 4ull << 20 }, { "4m", 4ull << 20 }, { "4194304", 4ull << 20 },
		{ "6144K", 6ull << 20 }, { "64G", 64ull << 30 }, { "65536M", 64ull << 30 },
		{ "2g", 2ull << 30 }, { "0010M", 10ull << 20 },
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		char text[128];
		snprintf(text, sizeof(text), "[guest a]\ncpu = 0\nmemory = %s\nkernel = k\n", ok[i].v);
		CHECK(parse(text) == 0 && cfg.guests[0].memory == ok[i].bytes);
	}

	CHECK_ERR("[guest a]\nxcr0 = zz\n", 2, "bad xcr0 'zz'");
	CHECK_ERR("[guest a]\nxcr0 = 0x\n", 2, "bad xcr0 '0x'");
	CHECK_ERR("[guest a]\nxcr0 =\n", 2, "bad xcr0 ''");
	CHECK_ERR("[guest a]\nxcr0 = 0x7g\n", 2, "bad xcr0 '0x7g'");
	CHECK_ERR("[guest a]\nxcr0 = 0x10000000000000000\n", 2, "bad xcr0");
	CHECK_ERR("[guest a]\nxcr0 = 0x6\n", 2, "xcr0 0x6 is invalid: bit 0 (x87)");
	CHECK_ERR("[guest a]\nxcr0 = 5\n", 2, "AVX (bit 2) needs SSE");
	CHECK_ERR("[guest a]\nxcr0 = 0x27\n", 2, "AVX-512");
	CHECK_ERR("[guest a]\nxcr0 = 0xe3\n", 2, "AVX-512");
	CHECK_ERR("[guest a]\nxcr0 = 0xb\n", 2, "MPX");
	CHECK_ERR("[guest a]\nxcr0 = 0x20007\n", 2, "AMX");
	CHECK(parse("[guest a]\ncpu = 0\nmemory = 4M\nkernel = k\nxcr0 = 0x602e7\n") == 0 &&
	      cfg.guests[0].xcr0 == 0x602e7);
	CHECK(parse("[guest a]\ncpu = 0\nmemory = 4M\nkernel = k\nxcr0 = 0X1\n") == 0 &&
	      cfg.guests[0].xcr0 == 1);
}

TEST(config_errors_cpu_all)
{
	CHECK_ERR("[guest a]\ncpu = all\nmemory = 4M\nkernel = k\n" "[guest b]\ncpu = 1\n", 6,
		  "cpu 1 conflicts with guest 'a', which has cpu = all");
	CHECK_ERR(G("a", "0") "[guest b]\nkernel = k\ncpu = all\n", 7,
		  "cpu = all conflicts with guest 'a' (cpu 0)");
	CHECK_ERR(G("a", "all") "[guest b]\ncpu = all\n", 6, "only one guest may use cpu = all");
	/* 28 characters leave room for "-63", 29 do not. */
	CHECK(parse("[guest abcdefghijklmnopqrstuvwxyz01]\ncpu = all\nmemory = 4M\nkernel = k\n") == 0);
	CHECK_ERR("[guest abcdefghijklmnopqrstuvwxyz012]\ncpu = all\n", 2, "too long for cpu = all (max 28 chars)");
}

static char *repeat(char *dst, char c, size_t n)
{
	memset(dst, c, n);
	dst[n] = 0;
	return dst;
}

TEST(config_overlong_values)
{
	static char text[2048], v[600];
	/* Line length: 511 characters fit, also with CRLF; 512 do not. */
	snprintf(text, sizeof(text), G("a", "0") "#%s\r\n", repeat(v, 'x', 510));
	CHECK(parse(text) == 0);
	snprintf(text, sizeof(text), G("a", "0") "#%s\n", repeat(v, 'x', 511));
	CHECK_ERR(text, 5, "");
	CHECK_STR(cfg_err, "hv.cfg:5: line too long (max 511 chars)");
	snprintf(text, sizeof(text), "[guest a]\n#%s", repeat(v, 'x', 599));
	CHECK_ERR(text, 2, "line too long");

	snprintf(text, sizeof(text), "[guest %s]\ncpu = 0\nmemory = 4M\nkernel = k\n", repeat(v, 'n', 31));
	CHECK(parse(text) == 0 && strlen(cfg.guests[0].name) == 31);
	snprintf(text, sizeof(text), "[guest %s]\n", repeat(v, 'n', 32));
	CHECK_ERR(text, 1, "is too long (max 31 chars)");

	snprintf(text, sizeof(text), "[guest a]\ncpu = 0\nmemory = 4M\nkernel = %s\n", repeat(v, 'p', 127));
	CHECK(parse(text) == 0 && strlen(cfg.guests[0].kernel) == 127);
	snprintf(text, sizeof(text), "[guest a]\nkernel = %s\n", repeat(v, 'p', 128));
	CHECK_ERR(text, 2, "kernel path too long (max 127 chars)");

	snprintf(text, sizeof(text), "[guest a]\ncpu = 0\nmemory = 4M\nkernel = k\ncmdline = %s\n", repeat(v, 'c', 255));
	CHECK(parse(text) == 0 && strlen(cfg.guests[0].cmdline) == 255);
	snprintf(text, sizeof(text), "[guest a]\ncmdline = %s\n", repeat(v, 'c', 256));
	CHECK_ERR(text, 2, "cmdline too long (max 255 chars)");

	snprintf(text, sizeof(text), "[guest a]\ncpu = 0\nmemory = 4M\nkernel = k\nmodule = %s\n", repeat(v, 'p', 127));
	CHECK(parse(text) == 0 && strlen(cfg.guests[0].modules[0].path) == 127);
	snprintf(text, sizeof(text), "[guest a]\nmodule = %s x\n", repeat(v, 'p', 128));
	CHECK_ERR(text, 2, "module path too long (max 127 chars)");
	snprintf(text, sizeof(text), "[guest a]\ncpu = 0\nmemory = 4M\nkernel = k\nmodule = m %s\n", repeat(v, 'c', 255));
	CHECK(parse(text) == 0 && strlen(cfg.guests[0].modules[0].cmdline) == 255);
	snprintf(text, sizeof(text), "[guest a]\nmodule = m  %s\n", repeat(v, 'c', 256));
	CHECK_ERR(text, 2, "module cmdline too long (max 255 chars)");
}

TEST(config_error_buffer_sizes)
{
	char small[12];
	CHECK_EQ(config_parse("hv.cfg", "[x]\n", 4, &cfg, small, sizeof(small)), -1);
	CHECK_STR(small, "hv.cfg:1: u");
	CHECK_EQ(config_parse("hv.cfg", "[x]\n", 4, &cfg, small, 1), -1);
	CHECK_STR(small, "");
	CHECK_EQ(config_parse("hv.cfg", "[x]\n", 4, &cfg, NULL, 0), -1);
	CHECK_EQ(config_parse("hv.cfg", NULL, 0, &cfg, cfg_err, sizeof(cfg_err)), -1);
	CHECK_EQ(config_parse("boot:/EFI/hv/hv.cfg", "x\n", 2, &cfg, cfg_err, sizeof(cfg_err)), -1);
	CHECK_STR(cfg_err, "boot:/EFI/hv/hv.cfg:1: text before the first section");
	/* A success clears any previous message. */
	CHECK_EQ(config_parse("hv.cfg", G("a", "0"), strlen(G("a", "0")), &cfg, cfg_err, sizeof(cfg_err)), 0);
	CHECK_STR(cfg_err, "");
}

TEST(config_debug_keys)
{
	REQUIRE(parse(G("a", "0")) == 0);
	CHECK_EQ(cfg.debug.fault_cpu, HV_NO_DEBUG_FAULT);
	CHECK_EQ(cfg.debug.bad_entry_cpu, HV_NO_DEBUG_FAULT);
	REQUIRE(parse("[hv]\ndebug_fault_cpu = 3\ndebug_bad_entry = 1 control\n" G("a", "0")) == 0);
	CHECK_EQ(cfg.debug.fault_cpu, 3);
	CHECK_EQ(cfg.debug.bad_entry_cpu, 1);
	CHECK(cfg.debug.bad_entry_control);
	REQUIRE(parse("[hv]\ndebug_bad_entry = 0\tstate\n" G("a", "0")) == 0);
	CHECK_EQ(cfg.debug.bad_entry_cpu, 0);
	CHECK(!cfg.debug.bad_entry_control);
	CHECK_ERR("[hv]\ndebug_bad_entry = 1\n", 2, "bad debug_bad_entry '1'");
	CHECK_ERR("[hv]\ndebug_bad_entry = state\n", 2, "bad debug_bad_entry 'state'");
	CHECK_ERR("[hv]\ndebug_bad_entry = 1 guest\n", 2, "bad debug_bad_entry '1 guest'");
	CHECK_ERR("[hv]\ndebug_fault_cpu = x\n", 2, "bad debug_fault_cpu 'x'");
}

/* The [hv] debug keys that name one CPU: off by default, a CPU index sets them, a value
 * that is not one, a repeat, or the key in a [guest] section is an error naming the key. */
static const struct debug_cpu_key {
	const char *key;
	size_t offset; /* in struct hv_debug */
	const char *bad; /* a value that is not a CPU index */
} debug_cpu_keys[] = {
	{ "debug_fault_cpu", offsetof(struct hv_debug, fault_cpu), "x" },
	{ "debug_nmi_cpu", offsetof(struct hv_debug, nmi_cpu), "-1" },
	{ "debug_stop_cpu", offsetof(struct hv_debug, stop_cpu), "one" },
	{ "debug_gdb_end_cpu", offsetof(struct hv_debug, gdb_end_cpu), "x1" },
	{ "debug_pending_irq", offsetof(struct hv_debug, pending_irq_cpu), "cpu1" },
	{ "debug_dirty_xstate_cpu", offsetof(struct hv_debug, dirty_xstate_cpu), "x" },
	{ "debug_stack_overflow_cpu", offsetof(struct hv_debug, stack_overflow_cpu), "4294967295" },
};

TEST(config_debug_cpu_keys)
{
	for (size_t i = 0; i < sizeof(debug_cpu_keys) / sizeof(debug_cpu_keys[0]); i++) {
		const struct debug_cpu_key *k = &debug_cpu_keys[i];
		char text[256], msg[96];
		REQUIRE(parse(G("a", "0")) == 0);
		CHECK_EQ(*(uint32_t *)((char *)&cfg.debug + k->offset), HV_NO_DEBUG_FAULT);
		snprintf(text, sizeof(text), "[hv]\n%s = 2\n" G("a", "0"), k->key);
		REQUIRE(parse(text) == 0);
		CHECK_EQ(*(uint32_t *)((char *)&cfg.debug + k->offset), 2);
		CHECK_EQ(cfg.debug.fault_cpu, i == 0 ? 2u : HV_NO_DEBUG_FAULT); /* only that key */
		snprintf(text, sizeof(text), "[hv]\n%s = %s\n", k->key, k->bad);
		snprintf(msg, sizeof(msg), "bad %s '%s'", k->key, k->bad);
		CHECK_ERR(text, 2, msg);
		snprintf(text, sizeof(text), "[hv]\n%s = 0\n%s = 1\n", k->key, k->key);
		CHECK_ERR(text, 3, k->key);
		snprintf(text, sizeof(text), "[guest a]\n%s = 1\n", k->key);
		CHECK_ERR(text, 2, k->key);
	}
	CHECK_ERR("[hv]\ndebug_stack_overflow_cpu = one\n", 2, "bad debug_stack_overflow_cpu 'one'");
}

TEST(config_debug_vmx_msr_lists_key)
{
	REQUIRE(parse(G("a", "0")) == 0);
	CHECK_EQ(cfg.debug.vmx_msr_lists, 0);
	REQUIRE(parse("[hv]\ndebug_vmx_msr_lists = 1\n" G("a", "0")) == 0);
	CHECK_EQ(cfg.debug.vmx_msr_lists, HV_DEBUG_MSR_LISTS_ON);
	REQUIRE(parse("[hv]\ndebug_vmx_msr_lists = check\n" G("a", "0")) == 0);
	CHECK_EQ(cfg.debug.vmx_msr_lists, HV_DEBUG_MSR_LISTS_CHECK);
	REQUIRE(parse("[hv]\ndebug_vmx_msr_lists = 0\n" G("a", "0")) == 0);
	CHECK_EQ(cfg.debug.vmx_msr_lists, 0);
	CHECK_ERR("[hv]\ndebug_vmx_msr_lists = yes\n", 2,
		  "bad debug_vmx_msr_lists 'yes' (expected 0, 1 or check)");
	CHECK_ERR("[hv]\ndebug_vmx_msr_lists = 1\ndebug_vmx_msr_lists = 1\n", 3, "debug_vmx_msr_lists");
}

TEST(config_debug_late_ap_key)
{
	REQUIRE(parse(G("a", "0")) == 0);
	CHECK_EQ(cfg.debug_late_ap, HV_NO_DEBUG_FAULT);
	REQUIRE(parse("[hv]\ndebug_late_ap = 2\n" G("a", "0")) == 0);
	CHECK_EQ(cfg.debug_late_ap, 2);
	CHECK_ERR("[hv]\ndebug_late_ap = two\n", 2, "bad debug_late_ap 'two' (expected a CPU index)");
	CHECK_ERR("[hv]\ndebug_late_ap = 0\n", 2, "cpu 0 is the boot CPU");
	CHECK_ERR("[hv]\ndebug_late_ap = 1\ndebug_late_ap = 2\n", 3, "duplicate key 'debug_late_ap'");
}

TEST(config_smt_key)
{
	REQUIRE(parse(G("a", "0")) == 0);
	CHECK(!cfg.smt_shared); /* isolated by default */
	REQUIRE(parse("[hv]\nsmt = shared\n" G("a", "0")) == 0);
	CHECK(cfg.smt_shared);
	CHECK_ERR("[hv]\nsmt = on\n", 2, "bad smt 'on' (expected isolated or shared)");
	CHECK_ERR("[guest a]\nsmt = shared\n", 2, "unknown key 'smt' in [guest a]");
}
