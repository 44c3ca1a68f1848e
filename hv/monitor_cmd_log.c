/* The monitor's `log`: the hypervisor's own recent messages again (hv/log_ring.h). */
#include "hv/lib.h"
#include "hv/log_ring.h"
#include "hv/monitor_cmds.h"

static char text[LOG_RING_SIZE];

static void run_log(unsigned argc, char **argv)
{
	(void)argc;
	(void)argv;
	bool cut;
	size_t n = log_ring_read(text, sizeof(text), &cut);
	size_t at = 0;
	if (cut) { /* the oldest line was partly overwritten: start at the next whole one */
		while (at < n && text[at] != '\n')
			at++;
		at += at < n;
	}
	if (at == n) {
		mon_printf("log: no hypervisor messages yet\n");
		return;
	}
	mon_printf("log: the last %u bytes of hypervisor messages%s\n", (unsigned)(n - at),
		   cut ? " (older ones overwritten)" : "");
	while (at < n) { /* line by line: each goes out as one console record */
		size_t end = at;
		while (end < n && text[end] != '\n' && end - at < 400)
			end++;
		char one[404];
		memcpy(one, text + at, end - at);
		one[end - at] = 0;
		mon_printf("%s\n", one);
		at = end + (end < n && text[end] == '\n');
	}
	uint64_t lost = log_ring_lost();
	if (lost)
		mon_printf("log: %llu messages were not kept (the ring's lock was held too long)\n",
			   (unsigned long long)lost);
}

const struct monitor_cmd mon_cmd_log = {
	"log", "", "the hypervisor's recent messages (the last 8 KiB)", 0, 0, run_log,
};
