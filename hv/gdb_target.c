/*
 * The guest the gdb stub serves, reached through its backend on its own CPU (struct
 * gdb_target for hv/gdb_stub.c), and what gdb set in it: the #BP intercept while a software
 * breakpoint is set, DR0-DR3/DR7 while a hardware breakpoint or watchpoint is (the guest's
 * own values are kept and given back when the last one goes, or at detach: SDM vol. 3B 17.2,
 * APM vol. 2 13.1), the single step.
 */
#include "hv/gdb_vcpu.h"
#include "hv/gdb_mem.h"
#include "hv/vcpu.h"

struct gdb_vcpu gdb_vcpus[HV_MAX_CPUS];

unsigned gdb_tid(const struct vcpu *v)
{
	return v->cpu + 1;
}

struct vcpu *gdb_vcpu_of_tid(unsigned tid)
{
	if (!tid || tid > hv_ncpus)
		return NULL;
	struct vcpu *v = hv_cpus[tid - 1].vcpu;
	if (!v || !v->be || __atomic_load_n(&v->end.kind, __ATOMIC_ACQUIRE) != GUEST_RUNNING)
		return NULL;
	return v;
}

static struct vcpu *self(void)
{
	return this_cpu()->vcpu;
}

static unsigned t_next(unsigned after)
{
	for (unsigned t = after + 1; t <= hv_ncpus; t++)
		if (gdb_vcpu_of_tid(t))
			return t;
	return 0;
}

static const char *t_name(unsigned tid)
{
	struct vcpu *v = gdb_vcpu_of_tid(tid);
	return v ? v->cfg->name : NULL;
}

static unsigned t_current(void)
{
	return gdb_tid(self());
}

static enum gdb_arch t_arch(void)
{
	struct guest_mode m;
	struct vcpu *v = self();
	v->be->read_mode(v, &m);
	return m.efer & BIT(10) ? GDB_ARCH_AMD64 : GDB_ARCH_I386; /* EFER.LMA: IA-32e mode */
}

static void t_regs(struct gdb_regs *r, bool write)
{
	struct vcpu *v = self();
	v->be->gdb_regs(v, r, write);
}

static size_t t_read(uint64_t addr, uint8_t *buf, size_t n)
{
	struct vcpu *v = self();
	struct guest_mode m;
	v->be->read_mode(v, &m);
	return gdb_mem_read(&gdb_vcpus[v->cpu].brk, &v->mem, &m, addr, buf, n);
}

static size_t t_write(uint64_t addr, const uint8_t *buf, size_t n)
{
	struct vcpu *v = self();
	struct guest_mode m;
	v->be->read_mode(v, &m);
	return gdb_mem_write(&gdb_vcpus[v->cpu].brk, &v->mem, &m, addr, buf, n);
}

static int t_break(bool insert, unsigned type, uint64_t addr, unsigned kind)
{
	struct vcpu *v = self();
	struct gdb_breaks *b = &gdb_vcpus[v->cpu].brk;
	int r;
	if (type == 0) {
		struct guest_mode m;
		v->be->read_mode(v, &m);
		r = insert ? gdb_sw_insert(b, &v->mem, &m, addr) : gdb_sw_remove(b, &v->mem, &m, addr);
	} else {
		r = insert ? gdb_hw_insert(b, type, addr, kind) : gdb_hw_remove(b, type, addr, kind);
	}
	gdb_target_arm(v);
	return r;
}

const struct gdb_target gdb_this_guest = { t_next, t_name, t_current, t_arch, t_regs,
					   t_read, t_write, t_break };

void gdb_target_arm(struct vcpu *v)
{
	struct gdb_vcpu *g = &gdb_vcpus[v->cpu];
	if (gdb_hw_count(&g->brk)) {
		if (!g->dr_saved) {
			for (unsigned i = 0; i < 4; i++)
				g->guest_dr[i] = v->be->gdb_dr_read(v, i);
			g->guest_dr7 = v->be->gdb_dr_read(v, 7);
			g->dr_saved = true;
		}
		uint64_t dr[4];
		gdb_hw_addrs(&g->brk, dr);
		for (unsigned i = 0; i < 4; i++)
			v->be->gdb_dr_write(v, i, dr[i]);
		v->be->gdb_dr_write(v, 7, gdb_hw_dr7(&g->brk));
	} else if (g->dr_saved) {
		for (unsigned i = 0; i < 4; i++)
			v->be->gdb_dr_write(v, i, g->guest_dr[i]);
		v->be->gdb_dr_write(v, 7, g->guest_dr7);
		g->dr_saved = false;
	}
	v->be->gdb_arm(v, gdb_sw_count(&g->brk) != 0, g->stepping);
}

void gdb_target_release(struct vcpu *v)
{
	struct gdb_vcpu *g = &gdb_vcpus[v->cpu];
	struct guest_mode m;
	v->be->read_mode(v, &m);
	gdb_sw_remove_all(&g->brk, &v->mem, &m);
	for (unsigned i = 0; i < 4; i++)
		g->brk.hw[i].used = false;
	g->stepping = false;
	g->resume_rf = false;
	g->event = GDB_EV_NONE;
	gdb_target_arm(v);
}
