/* A parsed hv.cfg on this machine's CPUs: cpu = all expanded, every cpu checked. */
#include "hv/config_values.h"
#include "hv/cpu_topology.h"
#include "hv/lib.h"

int config_place(const char *source, struct hv_config *cfg, uint32_t ncpus, char *err,
		 size_t errlen)
{
	struct config_parser p = { .source = source ? source : "config", .err = err,
				   .errlen = errlen, .cfg = cfg };
	if (err && errlen)
		err[0] = 0;

	for (uint32_t i = 0; i < cfg->nguests; i++) {
		struct hv_guest_cfg *g = &cfg->guests[i];
		p.line = g->line;
		if (g->cpu != HV_CPU_ALL)
			continue;
		if (cfg->nguests != 1)
			return config_fail(&p, "guest '%s' has cpu = all but is not the only guest",
					   g->name);
		if (!ncpus)
			return config_fail(&p, "this machine reports no CPUs");
		/* With more CPUs than guest slots the rest stay idle rather than refuse to boot. */
		uint32_t n = MIN(ncpus, (uint32_t)HV_MAX_GUESTS);
		char base[HV_NAME_MAX];
		hv_strlcpy(base, g->name, sizeof(base));
		for (uint32_t c = n; c-- > 0;) {
			struct hv_guest_cfg *copy = &cfg->guests[c];
			if (c)
				memcpy(copy, g, sizeof(*copy));
			copy->cpu = c;
			if (n > 1 && hv_snprintf(copy->name, sizeof(copy->name), "%s-%u", base, c) >=
					     (int)sizeof(copy->name))
				return config_fail(&p, "guest name '%s' is too long for cpu = all", base);
		}
		cfg->nguests = n;
		break;
	}

	for (uint32_t i = 0; i < cfg->nguests; i++) {
		const struct hv_guest_cfg *g = &cfg->guests[i];
		p.line = g->line;
		if (g->cpu >= ncpus)
			return config_fail(&p, "guest '%s' wants cpu %u but this machine has %u CPU%s",
					   g->name, g->cpu, ncpus, ncpus == 1 ? "" : "s");
	}
	return 0;
}

int config_check_smt(const char *source, const struct hv_config *cfg, const uint32_t *apic_ids,
		     uint32_t ncpus, unsigned smt_bits, char *err, size_t errlen)
{
	struct config_parser p = { .source = source ? source : "config", .err = err,
				   .errlen = errlen };
	if (err && errlen)
		err[0] = 0;
	if (cfg->smt_shared)
		return 0;
	for (uint32_t i = 0; i < cfg->nguests; i++) {
		const struct hv_guest_cfg *a = &cfg->guests[i];
		for (uint32_t j = i + 1; j < cfg->nguests; j++) {
			const struct hv_guest_cfg *b = &cfg->guests[j];
			/* The copies of a cpu = all guest come from one [guest] header line. */
			if (a->line == b->line || a->cpu >= ncpus || b->cpu >= ncpus ||
			    !topo_same_core(apic_ids[a->cpu], apic_ids[b->cpu], smt_bits))
				continue;
			p.line = b->line;
			return config_fail(&p, "guests '%s' (cpu %u) and '%s' (cpu %u) are on threads of "
					       "one core, which share L1D and branch predictors: use "
					       "CPUs of other cores, or smt = shared in [hv]",
					   a->name, a->cpu, b->name, b->cpu);
		}
	}
	return 0;
}

const struct hv_guest_cfg *config_guest_for_cpu(const struct hv_config *cfg, uint32_t cpu)
{
	for (uint32_t i = 0; i < cfg->nguests; i++)
		if (cfg->guests[i].cpu == cpu)
			return &cfg->guests[i];
	return NULL;
}

const char *config_on_finish_name(enum hv_on_finish f)
{
	return (unsigned)f < ARRAY_SIZE(config_finish_names) ? config_finish_names[f] : "?";
}
