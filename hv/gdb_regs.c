/* gdb's view of a guest's registers (see gdb_regs.h). */
#include "hv/gdb_regs.h"
#include "hv/gdb_packet.h"
#include "hv/lib.h"

/* A register of the description: where its value lives in struct gdb_regs and its size in
 * bytes; kind X87 has no value here (reported unavailable). */
enum reg_kind { R_GPR, R_RIP, R_FLAGS, R_SEG, R_X87 };
struct reg_desc {
	enum reg_kind kind;
	uint8_t index, size;
};

#define GPR(i, s) { R_GPR, i, s }
#define SEGS { R_SEG, GSEG_CS, 4 }, { R_SEG, GSEG_SS, 4 }, { R_SEG, GSEG_DS, 4 }, \
	{ R_SEG, GSEG_ES, 4 }, { R_SEG, GSEG_FS, 4 }, { R_SEG, GSEG_GS, 4 }
#define X87 { R_X87, 0, 10 }, { R_X87, 0, 10 }, { R_X87, 0, 10 }, { R_X87, 0, 10 }, \
	{ R_X87, 0, 10 }, { R_X87, 0, 10 }, { R_X87, 0, 10 }, { R_X87, 0, 10 }, \
	{ R_X87, 0, 4 }, { R_X87, 0, 4 }, { R_X87, 0, 4 }, { R_X87, 0, 4 }, \
	{ R_X87, 0, 4 }, { R_X87, 0, 4 }, { R_X87, 0, 4 }, { R_X87, 0, 4 }

/* features/i386/32bit-core.xml: eax ecx edx ebx esp ebp esi edi eip eflags cs ss ds es fs
 * gs st0-st7 fctrl fstat ftag fiseg fioff foseg fooff fop. */
static const struct reg_desc regs_i386[] = {
	GPR(GPR_RAX, 4), GPR(GPR_RCX, 4), GPR(GPR_RDX, 4), GPR(GPR_RBX, 4),
	GPR(GPR_RSP, 4), GPR(GPR_RBP, 4), GPR(GPR_RSI, 4), GPR(GPR_RDI, 4),
	{ R_RIP, 0, 4 }, { R_FLAGS, 0, 4 }, SEGS, X87,
};
/* features/i386/64bit-core.xml: rax rbx rcx rdx rsi rdi rbp rsp r8-r15 rip eflags cs ss
 * ds es fs gs, then the same x87 registers. */
static const struct reg_desc regs_amd64[] = {
	GPR(GPR_RAX, 8), GPR(GPR_RBX, 8), GPR(GPR_RCX, 8), GPR(GPR_RDX, 8),
	GPR(GPR_RSI, 8), GPR(GPR_RDI, 8), GPR(GPR_RBP, 8), GPR(GPR_RSP, 8),
	GPR(GPR_R8, 8), GPR(GPR_R9, 8), GPR(GPR_R10, 8), GPR(GPR_R11, 8),
	GPR(GPR_R12, 8), GPR(GPR_R13, 8), GPR(GPR_R14, 8), GPR(GPR_R15, 8),
	{ R_RIP, 0, 8 }, { R_FLAGS, 0, 4 }, SEGS, X87,
};
_Static_assert(ARRAY_SIZE(regs_i386) == 16 + 16, "i386 core: 16 + 16 x87 registers");
_Static_assert(ARRAY_SIZE(regs_amd64) == 24 + 16, "amd64 core: 24 + 16 x87 registers");

static const struct reg_desc *table(enum gdb_arch a, unsigned *n)
{
	*n = a == GDB_ARCH_AMD64 ? ARRAY_SIZE(regs_amd64) : ARRAY_SIZE(regs_i386);
	return a == GDB_ARCH_AMD64 ? regs_amd64 : regs_i386;
}

unsigned gdb_regs_count(enum gdb_arch a)
{
	unsigned n;
	table(a, &n);
	return n;
}

size_t gdb_regs_g_len(enum gdb_arch a)
{
	unsigned n;
	const struct reg_desc *t = table(a, &n);
	size_t len = 0;
	for (unsigned i = 0; i < n; i++)
		len += 2u * t[i].size;
	return len;
}

static uint64_t *slot64(struct gdb_regs *r, const struct reg_desc *d)
{
	switch (d->kind) {
	case R_GPR:
		return &r->gpr[d->index];
	case R_RIP:
		return &r->rip;
	case R_FLAGS:
		return &r->rflags;
	default:
		return NULL;
	}
}

static uint64_t value_of(const struct gdb_regs *r, const struct reg_desc *d)
{
	if (d->kind == R_SEG)
		return r->seg[d->index];
	return *slot64((struct gdb_regs *)r, d);
}

/* One register's 2 * size hex digits at out. */
static void encode_one(const struct gdb_regs *r, const struct reg_desc *d, char *out)
{
	if (d->kind == R_X87) {
		memset(out, 'x', 2u * d->size);
		return;
	}
	uint64_t v = value_of(r, d);
	uint8_t b[8];
	for (unsigned i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	gdb_hex_encode(out, b, d->size);
}

/* Store size bytes of hex; 'x' digits leave the register as it is. */
static int decode_one(struct gdb_regs *r, const struct reg_desc *d, const char *hex)
{
	if (d->kind == R_X87 || hex[0] == 'x')
		return 0;
	uint8_t b[8];
	if (gdb_hex_decode(b, hex, d->size) < 0)
		return -1;
	uint64_t v = 0;
	for (unsigned i = 0; i < d->size; i++)
		v |= (uint64_t)b[i] << (8 * i);
	if (d->kind == R_SEG) {
		r->seg[d->index] = (uint16_t)v;
		return 0;
	}
	uint64_t *s = slot64(r, d);
	/* A 32-bit view keeps the upper half (a 32-bit guest in a 64-bit capable CPU). */
	*s = d->size == 8 ? v : (*s & ~0xffffffffull) | v;
	return 0;
}

void gdb_regs_encode(enum gdb_arch a, const struct gdb_regs *r, char *out)
{
	unsigned n;
	const struct reg_desc *t = table(a, &n);
	size_t o = 0;
	for (unsigned i = 0; i < n; i++) {
		encode_one(r, &t[i], out + o);
		o += 2u * t[i].size;
	}
	out[o] = 0;
}

int gdb_regs_decode(enum gdb_arch a, const char *hex, size_t len, struct gdb_regs *r)
{
	unsigned n;
	const struct reg_desc *t = table(a, &n);
	if (len != gdb_regs_g_len(a))
		return -1;
	struct gdb_regs tmp = *r;
	size_t o = 0;
	for (unsigned i = 0; i < n; i++) {
		if (decode_one(&tmp, &t[i], hex + o) < 0)
			return -1;
		o += 2u * t[i].size;
	}
	*r = tmp;
	return 0;
}

int gdb_reg_get(enum gdb_arch a, const struct gdb_regs *r, unsigned regno, char *out)
{
	unsigned n;
	const struct reg_desc *t = table(a, &n);
	if (regno >= n)
		return -1;
	encode_one(r, &t[regno], out);
	out[2u * t[regno].size] = 0;
	return 0;
}

int gdb_reg_set(enum gdb_arch a, struct gdb_regs *r, unsigned regno, const char *hex)
{
	unsigned n;
	const struct reg_desc *t = table(a, &n);
	if (regno >= n || strlen(hex) != 2u * t[regno].size)
		return -1;
	return decode_one(r, &t[regno], hex);
}

#define LOW32 0xffffffffull

void gdb_regs_view(enum gdb_arch guest, struct gdb_regs *r)
{
	if (guest == GDB_ARCH_AMD64)
		return;
	for (unsigned i = 0; i < GPR_COUNT; i++)
		r->gpr[i] &= LOW32;
	r->rip &= LOW32;
	r->rflags &= LOW32;
}

void gdb_regs_merge(enum gdb_arch guest, const struct gdb_regs *raw, struct gdb_regs *w)
{
	if (guest == GDB_ARCH_AMD64)
		return;
	for (unsigned i = 0; i < GPR_COUNT; i++)
		w->gpr[i] = (raw->gpr[i] & ~LOW32) | (w->gpr[i] & LOW32);
	w->rip = (raw->rip & ~LOW32) | (w->rip & LOW32);
	w->rflags = (raw->rflags & ~LOW32) | (w->rflags & LOW32);
}

#define EFLAGS_TYPE                                                                          \
	"<flags id=\"i386_eflags\" size=\"4\">"                                               \
	"<field name=\"CF\" start=\"0\" end=\"0\"/><field name=\"\" start=\"1\" end=\"1\"/>"   \
	"<field name=\"PF\" start=\"2\" end=\"2\"/><field name=\"AF\" start=\"4\" end=\"4\"/>" \
	"<field name=\"ZF\" start=\"6\" end=\"6\"/><field name=\"SF\" start=\"7\" end=\"7\"/>" \
	"<field name=\"TF\" start=\"8\" end=\"8\"/><field name=\"IF\" start=\"9\" end=\"9\"/>" \
	"<field name=\"DF\" start=\"10\" end=\"10\"/><field name=\"OF\" start=\"11\" end=\"11\"/>" \
	"<field name=\"NT\" start=\"14\" end=\"14\"/><field name=\"RF\" start=\"16\" end=\"16\"/>" \
	"<field name=\"VM\" start=\"17\" end=\"17\"/><field name=\"AC\" start=\"18\" end=\"18\"/>" \
	"<field name=\"VIF\" start=\"19\" end=\"19\"/><field name=\"VIP\" start=\"20\" end=\"20\"/>" \
	"<field name=\"ID\" start=\"21\" end=\"21\"/></flags>"

#define SEG_AND_X87_REGS                                                                     \
	"<reg name=\"cs\" bitsize=\"32\" type=\"int32\"/>"                                    \
	"<reg name=\"ss\" bitsize=\"32\" type=\"int32\"/>"                                    \
	"<reg name=\"ds\" bitsize=\"32\" type=\"int32\"/>"                                    \
	"<reg name=\"es\" bitsize=\"32\" type=\"int32\"/>"                                    \
	"<reg name=\"fs\" bitsize=\"32\" type=\"int32\"/>"                                    \
	"<reg name=\"gs\" bitsize=\"32\" type=\"int32\"/>"                                    \
	"<reg name=\"st0\" bitsize=\"80\" type=\"i387_ext\"/>"                                \
	"<reg name=\"st1\" bitsize=\"80\" type=\"i387_ext\"/>"                                \
	"<reg name=\"st2\" bitsize=\"80\" type=\"i387_ext\"/>"                                \
	"<reg name=\"st3\" bitsize=\"80\" type=\"i387_ext\"/>"                                \
	"<reg name=\"st4\" bitsize=\"80\" type=\"i387_ext\"/>"                                \
	"<reg name=\"st5\" bitsize=\"80\" type=\"i387_ext\"/>"                                \
	"<reg name=\"st6\" bitsize=\"80\" type=\"i387_ext\"/>"                                \
	"<reg name=\"st7\" bitsize=\"80\" type=\"i387_ext\"/>"                                \
	"<reg name=\"fctrl\" bitsize=\"32\" type=\"int\" group=\"float\"/>"                   \
	"<reg name=\"fstat\" bitsize=\"32\" type=\"int\" group=\"float\"/>"                   \
	"<reg name=\"ftag\" bitsize=\"32\" type=\"int\" group=\"float\"/>"                    \
	"<reg name=\"fiseg\" bitsize=\"32\" type=\"int\" group=\"float\"/>"                   \
	"<reg name=\"fioff\" bitsize=\"32\" type=\"int\" group=\"float\"/>"                   \
	"<reg name=\"foseg\" bitsize=\"32\" type=\"int\" group=\"float\"/>"                   \
	"<reg name=\"fooff\" bitsize=\"32\" type=\"int\" group=\"float\"/>"                   \
	"<reg name=\"fop\" bitsize=\"32\" type=\"int\" group=\"float\"/>"

#define HEAD "<?xml version=\"1.0\"?><!DOCTYPE target SYSTEM \"gdb-target.dtd\"><target>"

static const char tdesc_i386[] =
	HEAD "<architecture>i386</architecture><feature name=\"org.gnu.gdb.i386.core\">" EFLAGS_TYPE
	"<reg name=\"eax\" bitsize=\"32\" type=\"int32\"/>"
	"<reg name=\"ecx\" bitsize=\"32\" type=\"int32\"/>"
	"<reg name=\"edx\" bitsize=\"32\" type=\"int32\"/>"
	"<reg name=\"ebx\" bitsize=\"32\" type=\"int32\"/>"
	"<reg name=\"esp\" bitsize=\"32\" type=\"data_ptr\"/>"
	"<reg name=\"ebp\" bitsize=\"32\" type=\"data_ptr\"/>"
	"<reg name=\"esi\" bitsize=\"32\" type=\"int32\"/>"
	"<reg name=\"edi\" bitsize=\"32\" type=\"int32\"/>"
	"<reg name=\"eip\" bitsize=\"32\" type=\"code_ptr\"/>"
	"<reg name=\"eflags\" bitsize=\"32\" type=\"i386_eflags\"/>" SEG_AND_X87_REGS
	"</feature></target>";

static const char tdesc_amd64[] =
	HEAD "<architecture>i386:x86-64</architecture><feature name=\"org.gnu.gdb.i386.core\">"
	EFLAGS_TYPE
	"<reg name=\"rax\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"rbx\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"rcx\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"rdx\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"rsi\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"rdi\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"rbp\" bitsize=\"64\" type=\"data_ptr\"/>"
	"<reg name=\"rsp\" bitsize=\"64\" type=\"data_ptr\"/>"
	"<reg name=\"r8\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"r9\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"r10\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"r11\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"r12\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"r13\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"r14\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"r15\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"rip\" bitsize=\"64\" type=\"code_ptr\"/>"
	"<reg name=\"eflags\" bitsize=\"32\" type=\"i386_eflags\"/>" SEG_AND_X87_REGS
	"</feature></target>";

const char *gdb_tdesc_xml(enum gdb_arch a)
{
	return a == GDB_ARCH_AMD64 ? tdesc_amd64 : tdesc_i386;
}
