/* Guest page walks with access rights (see guest_walk.h): SDM vol. 3A 4.3 (32-bit
 * paging), 4.4 (PAE), 4.5 (4-level), 4.6 (access rights), 4.7 (#PF error code), 4.8
 * (accessed and dirty flags). */
#include "arch/x86/cpu.h"
#include "hv/guest_fetch.h"
#include "hv/guest_walk.h"
#include "hv/lib.h"
#include "hv/multiboot_load.h"

#define CR4_SMAP BIT(21)
#define RFLAGS_AC BIT(18)
#define PTE_P BIT(0)
#define PTE_RW BIT(1)
#define PTE_US BIT(2)
#define PTE_A BIT(5)
#define PTE_D BIT(6)
#define PTE_PS BIT(7)
#define PTE_XD BIT(63)

struct walk {
	const struct guest_mem *mem;
	bool wide;               /* 8-byte entries (PAE, 4-level) */
	unsigned n;              /* entries used so far */
	uint64_t gpa[5];         /* where they are, for the accessed/dirty flags */
	uint64_t rights;         /* PTE_RW | PTE_US, ANDed over the levels */
	bool rsvd;
};

/* Read the entry at gpa, record it; -1 when it lies outside the partition. */
static int step(struct walk *w, uint64_t gpa, bool has_a, uint64_t *e)
{
	uint32_t e32;
	if (w->wide ? guest_phys_read(w->mem, gpa, e, 8) : guest_phys_read(w->mem, gpa, &e32, 4))
		return -1;
	if (!w->wide)
		*e = e32;
	if (has_a)
		w->gpa[w->n++] = gpa;
	w->rights &= *e & (PTE_RW | PTE_US);
	return 0;
}

static void set_flag(const struct walk *w, uint64_t gpa, uint64_t flag)
{
	/* Atomic, as the CPU's own update (4.8): the guest may be changing other bits. */
	if (w->wide)
		__atomic_fetch_or((uint64_t *)(void *)(w->mem->base + gpa), flag, __ATOMIC_RELAXED);
	else
		__atomic_fetch_or((uint32_t *)(void *)(w->mem->base + gpa), (uint32_t)flag,
				  __ATOMIC_RELAXED);
}

/* The walk proper: 0 with *pa, 1 for a not-present entry, or a GUEST_WALK_* error. */
static int translate(struct walk *w, const struct guest_mode *m, uint64_t linear, uint64_t *pa)
{
	const uint64_t addr_mask = 0x000ffffffffff000ull;
	uint64_t e, table;
	int levels;
	if (!(m->cr4 & CR4_PAE)) {
		/* 32-bit paging: 10/10/12, 4 MiB pages with CR4.PSE (4.3). */
		uint32_t la = (uint32_t)linear;
		if (step(w, (m->cr3 & 0xfffff000u) + (la >> 22) * 4, true, &e))
			return GUEST_WALK_OUTSIDE;
		if (!(e & PTE_P))
			return 1;
		if ((e & PTE_PS) && (m->cr4 & CR4_PSE)) {
			*pa = (e & 0xffc00000u) | ((e >> 13) & 0xff) << 32 | (la & 0x3fffff);
			return 0;
		}
		if (step(w, (e & 0xfffff000u) + ((la >> 12) & 0x3ff) * 4, true, &e))
			return GUEST_WALK_OUTSIDE;
		if (!(e & PTE_P))
			return 1;
		*pa = (e & 0xfffff000u) | (la & 0xfff);
		return 0;
	}
	bool nxe = m->efer & EFER_NXE;
	if (m->efer & EFER_LMA) {
		if (m->cr4 & CR4_LA57)
			return GUEST_WALK_UNSUPPORTED;
		levels = 4;
		table = m->cr3 & addr_mask;
	} else {
		/* PAE: the PDPTE by bits 31:30 from a 32-byte aligned table; it has no R/W, U/S
		 * or accessed flag (4.4.1). */
		levels = 2;
		uint64_t rights = w->rights;
		if (step(w, (m->cr3 & 0xffffffe0u) + ((linear >> 30) & 3) * 8, false, &e))
			return GUEST_WALK_OUTSIDE;
		w->rights = rights;
		if (!(e & PTE_P))
			return 1;
		table = e & addr_mask;
	}
	for (int level = levels - 1; level >= 0; level--) {
		unsigned idx = (linear >> (12 + 9 * level)) & 511;
		if (step(w, table + idx * 8, true, &e))
			return GUEST_WALK_OUTSIDE;
		if (!(e & PTE_P))
			return 1;
		if ((e & PTE_XD) && !nxe)
			w->rsvd = true;
		if (level == 3 && (e & PTE_PS))
			w->rsvd = true; /* PS is reserved in a PML4E (4.5.4, table 4-15) */
		if (level > 0 && level < 3 && (e & PTE_PS)) {
			uint64_t size = 1ull << (12 + 9 * level);
			*pa = (e & addr_mask & ~(size - 1)) | (linear & (size - 1));
			return 0;
		}
		table = e & addr_mask;
	}
	*pa = table | (linear & 0xfff);
	return 0;
}

int guest_walk(const struct guest_mem *mem, const struct guest_mode *m, uint64_t linear,
	       unsigned access, uint64_t *gpa, uint32_t *pf_error)
{
	if (!(m->cr0 & CR0_PG)) {
		*gpa = linear & 0xffffffffull;
		return GUEST_WALK_OK;
	}
	struct walk w = { .mem = mem, .wide = (m->cr4 & CR4_PAE) != 0, .rights = PTE_RW | PTE_US };
	uint64_t pa;
	int rc = translate(&w, m, linear, &pa);
	if (access & GUEST_WALK_PEEK) {
		if (rc == 0)
			*gpa = pa;
		return rc > 0 ? GUEST_WALK_FAULT : rc;
	}
	if (rc < 0)
		return rc;
	bool write = access & GUEST_WALK_WRITE, user = access & GUEST_WALK_USER;
	uint32_t err = (write ? PF_ERR_W : 0) | (user ? PF_ERR_U : 0);
	if (rc > 0) {
		*pf_error = err; /* not present: P = 0 */
		return GUEST_WALK_FAULT;
	}
	bool denied;
	if (user)
		denied = !(w.rights & PTE_US) || (write && !(w.rights & PTE_RW));
	else
		/* Supervisor: writes need R/W with CR0.WP (4.6.1); SMAP forbids user pages
		 * to explicit supervisor accesses while RFLAGS.AC = 0. */
		denied = (write && (m->cr0 & CR0_WP) && !(w.rights & PTE_RW)) ||
			 ((m->cr4 & CR4_SMAP) && (w.rights & PTE_US) && !(m->rflags & RFLAGS_AC));
	if (w.rsvd || denied) {
		*pf_error = err | PF_ERR_P | (w.rsvd ? PF_ERR_RSVD : 0);
		return GUEST_WALK_FAULT;
	}
	for (unsigned i = 0; i < w.n; i++)
		set_flag(&w, w.gpa[i], PTE_A);
	if (write)
		set_flag(&w, w.gpa[w.n - 1], PTE_D);
	*gpa = pa;
	return GUEST_WALK_OK;
}
