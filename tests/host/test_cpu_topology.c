/*
 * SMT topology (hv/cpu_topology.c) against the real CPUID dumps in ../shared/cpuid/
 * (tests/host/cpuid_dump.h) and synthetic CPUs, and the [hv] smt placement rule
 * (config_check_smt).
 */
#include <stdio.h>
#include <string.h>
#include "hv/cpu_topology.h"
#include "tests/host/cpuid_dump.h"
#include "tests/host/config_test_util.h"
#include "tests/host/harness.h"

#define MAX_ENTRIES 16
static struct {
	uint32_t leaf, sub;
	struct cpuid_value v;
} dump[MAX_ENTRIES];
static size_t ndump;

static struct cpuid_value dump_cpuid(uint32_t leaf, uint32_t sub)
{
	for (size_t i = 0; i < ndump; i++)
		if (dump[i].leaf == leaf && dump[i].sub == sub)
			return dump[i].v;
	return (struct cpuid_value){ 0, 0, 0, 0 };
}

TEST(topology_smt_bits_of_real_cpus)
{
	static const struct {
		const char *file;
		unsigned bits;
	} parts[] = {
		/* 0xB/0x1F sub-leaf 0 is the SMT level with shift 1 on every part with SMT on. */
		{ "intel-cascade-lake-sp.txt", 1 }, { "intel-ice-lake-sp.txt", 1 },
		{ "intel-alder-lake.txt", 1 },      { "intel-sapphire-rapids.txt", 1 },
		{ "intel-emerald-rapids.txt", 1 },  { "intel-granite-rapids.txt", 1 },
		{ "amd-zen2-rome.txt", 1 },         { "amd-zen3-milan.txt", 1 },
		{ "amd-zen4-genoa.txt", 1 },
		/* Turin was dumped with SMT off: 0xB.0 EAX = 0, one thread (0x8000001E EBX = 0). */
		{ "amd-zen5-turin.txt", 0 },
	};
	static struct cpuid_dump d;
	int found = 0;
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		char path[160], err[160];
		snprintf(path, sizeof(path), CPUID_DUMP_DIR "/%s", parts[i].file);
		if (cpuid_dump_load(&d, path, err, sizeof(err))) {
			printf("    %s: %s\n", path, err); /* a missing input fails the test */
			continue;
		}
		found++;
		cpuid_dump_select(&d);
		unsigned got = topo_smt_bits(cpuid_dump_source);
		if (got != parts[i].bits)
			printf("    %s: %u SMT bits, expected %u\n", parts[i].file, got, parts[i].bits);
		CHECK_EQ(got, parts[i].bits);
	}
	CHECK_EQ(found, (int)(sizeof(parts) / sizeof(parts[0])));
}

/* A synthetic CPU: the entries given, everything else 0. */
static void set_cpu(const uint32_t (*rows)[6], size_t n)
{
	ndump = 0;
	for (size_t i = 0; i < n && ndump < MAX_ENTRIES; i++) {
		dump[ndump].leaf = rows[i][0];
		dump[ndump].sub = rows[i][1];
		dump[ndump].v = (struct cpuid_value){ rows[i][2], rows[i][3], rows[i][4], rows[i][5] };
		ndump++;
	}
}

TEST(topology_smt_bits_fallbacks)
{
	/* 0x1F wins over 0xB (here they disagree on purpose). */
	static const uint32_t both[][6] = {
		{ 0, 0, 0x1f, 0x756e6547, 0, 0 },   { 0xb, 0, 1, 2, 0x100, 0 },
		{ 0x1f, 0, 2, 4, 0x100, 0 },        { 0x1f, 1, 6, 32, 0x201, 0 },
	};
	set_cpu(both, 4);
	CHECK_EQ(topo_smt_bits(dump_cpuid), 2);
	/* A 0xB whose first level is a core level: no SMT. */
	static const uint32_t nosmt[][6] = {
		{ 0, 0, 0xb, 0x756e6547, 0, 0 }, { 0xb, 0, 3, 8, 0x200, 0 },
	};
	set_cpu(nosmt, 2);
	CHECK_EQ(topo_smt_bits(dump_cpuid), 0);
	/* AMD without 0xB (EBX = 0: the leaf is absent): 0x8000001E threads per core - 1 = 1. */
	static const uint32_t amd[][6] = {
		{ 0, 0, 0xd, 0x68747541, 0, 0 },      { 0xb, 0, 0, 0, 0, 0 },
		{ 0x80000000u, 0, 0x8000001eu, 0, 0, 0 }, { 0x80000001u, 0, 0, 0, 1u << 22, 0 },
		{ 0x8000001eu, 0, 0, 0x0100, 0, 0 },
	};
	set_cpu(amd, 5);
	CHECK_EQ(topo_smt_bits(dump_cpuid), 1);
	/* Legacy Intel: 16 logical per package (HTT), 8 cores (leaf 4 EAX[31:26] = 7). */
	static const uint32_t legacy[][6] = {
		{ 0, 0, 0xa, 0x756e6547, 0, 0 }, { 1, 0, 0, 16u << 16, 0, 1u << 28 },
		{ 4, 0, 7u << 26, 0, 0, 0 },
	};
	set_cpu(legacy, 3);
	CHECK_EQ(topo_smt_bits(dump_cpuid), 1);
	/* No HTT: one thread per package. */
	static const uint32_t single[][6] = { { 0, 0, 0xa, 0x756e6547, 0, 0 }, { 1, 0, 0, 1u << 16, 0, 0 } };
	set_cpu(single, 2);
	CHECK_EQ(topo_smt_bits(dump_cpuid), 0);
}

TEST(topology_siblings_text)
{
	char buf[64];
	static const uint32_t pairs[] = { 0, 1, 2, 3 };
	topo_siblings_text(pairs, 4, 1, buf, sizeof(buf));
	CHECK_STR(buf, "0+1 2+3");
	topo_siblings_text(pairs, 4, 0, buf, sizeof(buf));
	CHECK_STR(buf, "none");
	static const uint32_t mixed[] = { 0, 2, 1, 5, 3 }; /* MADT order need not be core order */
	topo_siblings_text(mixed, 5, 1, buf, sizeof(buf));
	CHECK_STR(buf, "0+2 1+4");
	static const uint32_t evens[] = { 0, 2, 4, 6 }; /* one thread of each core enumerated */
	topo_siblings_text(evens, 4, 1, buf, sizeof(buf));
	CHECK_STR(buf, "none");
	char tiny[4];
	CHECK_EQ(topo_siblings_text(pairs, 4, 1, tiny, sizeof(tiny)), 3);
	CHECK_EQ(strlen(tiny), 3);
}

static const uint32_t four_on_two_cores[] = { 0, 1, 2, 3 };

TEST(config_smt_refuses_two_guests_on_one_core)
{
	char err[256];
	REQUIRE(parse(G("a", "0") G("b", "1")) == 0);
	REQUIRE(config_place("hv.cfg", &cfg, 4, err, sizeof(err)) == 0);
	CHECK(config_check_smt("hv.cfg", &cfg, four_on_two_cores, 4, 1, err, sizeof(err)) == -1);
	CHECK_STR(err, "hv.cfg:5: guests 'a' (cpu 0) and 'b' (cpu 1) are on threads of one core, "
		       "which share L1D and branch predictors: use CPUs of other cores, or smt = "
		       "shared in [hv]");
	/* Other cores, or no SMT, or smt = shared: accepted. */
	REQUIRE(parse(G("a", "0") G("b", "2")) == 0);
	CHECK(config_check_smt("hv.cfg", &cfg, four_on_two_cores, 4, 1, err, sizeof(err)) == 0);
	REQUIRE(parse(G("a", "0") G("b", "1")) == 0);
	CHECK(config_check_smt("hv.cfg", &cfg, four_on_two_cores, 4, 0, err, sizeof(err)) == 0);
	REQUIRE(parse("[hv]\nsmt = shared\n" G("a", "0") G("b", "1")) == 0);
	CHECK(cfg.smt_shared);
	CHECK(config_check_smt("hv.cfg", &cfg, four_on_two_cores, 4, 1, err, sizeof(err)) == 0);
	REQUIRE(parse("[hv]\nsmt = isolated\n" G("a", "3") G("b", "2")) == 0);
	CHECK(!cfg.smt_shared);
	CHECK(config_check_smt("hv.cfg", &cfg, four_on_two_cores, 4, 1, err, sizeof(err)) == -1);
	CHECK(strstr(err, "'a' (cpu 3) and 'b' (cpu 2)") != NULL);
	CHECK_ERR("[hv]\nsmt = yes\n" G("a", "0"), 2, "bad smt 'yes' (expected isolated or shared)");
}

TEST(config_smt_cpu_all_copies_are_one_guest)
{
	char err[256];
	REQUIRE(parse(G("s", "all")) == 0);
	REQUIRE(config_place("hv.cfg", &cfg, 4, err, sizeof(err)) == 0);
	REQUIRE(cfg.nguests == 4);
	CHECK(config_check_smt("hv.cfg", &cfg, four_on_two_cores, 4, 1, err, sizeof(err)) == 0);
}
