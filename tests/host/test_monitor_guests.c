/* The serial monitor's guests, top, stop and log (hv/monitor_cmd_*.c) through a fake console. */
#include <string.h>
#include "hv/log.h"
#include "hv/log_ring.h"
#include "hv/monitor.h"
#include "hv/vcpu_request.h"
#include "tests/host/fake_arch.h"
#include "tests/host/harness.h"
#include "tests/host/monitor_test_env.h"

#define TICKS_PER_MS (FAKE_TSC_KHZ)

TEST(monitor_guests_shows_cpu_state_run_time_and_nonzero_exit_kinds)
{
	mon_env_setup();
	struct vcpu *a = mon_env.v[0], *b = mon_env.v[1], *c = mon_env.v[2];
	a->exits[EXIT_CPUID] = 11;
	a->exits[EXIT_IO] = 1731;
	fake_tsc = 1000 + 12345 * TICKS_PER_MS; /* alpha has run 12.345 s */
	b->halted = true;
	c->end.kind = GUEST_STOPPED;
	strcpy(c->end.reason, "time limit 2 s");
	c->end_tsc = 1000 + 2000 * TICKS_PER_MS;
	mon_type("guests\r");
	CHECK(strstr(mon_out(), "\nalpha                cpu 0  running, run time 12.345 s\n") != NULL);
	CHECK(strstr(mon_out(), "exits: 1742 total cpuid=11 io=1731\n") != NULL);
	CHECK(strstr(mon_out(), "hypercall=") == NULL); /* zero counts are left out */
	CHECK(strstr(mon_out(), "\nbeta                 cpu 1  halted (HLT, waiting for an interrupt), run time ") != NULL);
	CHECK(strstr(mon_out(), "\ngamma                cpu 2  stopped (time limit 2 s), run time 2.000 s\n") != NULL);
	CHECK(mon_count("exits: 0 total\n") == 2);
	mon_env_teardown();
}

TEST(monitor_guests_shows_how_each_guest_finished)
{
	mon_env_setup();
	mon_env.v[0]->end.kind = GUEST_PASSED;
	mon_env.v[1]->end.kind = GUEST_FAILED;
	mon_env.v[1]->end.status = 5;
	mon_env.v[2]->end.kind = GUEST_SKIPPED;
	mon_type("guests\r");
	CHECK(strstr(mon_out(), "alpha                cpu 0  finished: passed,") != NULL);
	CHECK(strstr(mon_out(), "beta                 cpu 1  finished: failed (status 11, exit-port value 0x5),") != NULL);
	CHECK(strstr(mon_out(), "gamma                cpu 2  finished: skipped,") != NULL);
	mon_env.v[0]->end.kind = GUEST_RUNNING;
	mon_env.v[0]->start_tsc = 0;
	mon_type("guests\r");
	CHECK(strstr(mon_out(), "alpha                cpu 0  not started yet, run time 0.000 s") != NULL);
	mon_env_teardown();
}

TEST(monitor_top_prints_exits_per_second_every_second_until_a_key)
{
	mon_env_setup();
	struct vcpu *b = mon_env.v[1];
	mon_type("top\r");
	CHECK(strstr(mon_out(), "top: first figures in a second; any key stops\n") != NULL);
	CHECK(mon_count("hv> ") == 0); /* no prompt while top runs */
	mon_type("");
	monitor_tick(fake_tsc + 999 * TICKS_PER_MS); /* not yet a second */
	CHECK(!strcmp(mon_out(), ""));
	b->exits[EXIT_CPUID] += 3000;
	b->exits[EXIT_HLT] += 20;
	monitor_tick(fake_tsc + 2000 * TICKS_PER_MS); /* two seconds */
	CHECK(strstr(mon_out(), "top: exits per second over the last 2000 ms (any key stops)\n") != NULL);
	CHECK(strstr(mon_out(), "  beta                 cpu 1  1510/s cpuid=1500 hlt=10  [running]\n") != NULL);
	CHECK(strstr(mon_out(), "  alpha                cpu 0  0/s  [running]\n") != NULL);
	mon_type("");
	b->exits[EXIT_IO] += 500;
	monitor_tick(fake_tsc + 3000 * TICKS_PER_MS); /* the rates count from the last frame */
	CHECK(strstr(mon_out(), "beta                 cpu 1  500/s io=500  [running]\n") != NULL);
	mon_type("q");
	CHECK(!strcmp(mon_out(), "top: stopped after 2 updates\nhv> "));
	monitor_tick(fake_tsc + 9000 * TICKS_PER_MS);
	mon_type("");
	CHECK(!strcmp(mon_out(), "")); /* stopped: no more frames */
	mon_type("top now\r");
	CHECK(strstr(mon_out(), "usage: top\n") != NULL);
	mon_env_teardown();
}

TEST(monitor_stop_asks_that_guests_cpu_only)
{
	mon_env_setup();
	mon_type("stop beta\r");
	CHECK(strstr(mon_out(), "\nstop: asked cpu 1 to stop guest beta\n") != NULL);
	CHECK(mon_env.v[1]->requests == VCPU_REQ_STOP);
	CHECK(mon_env.v[0]->requests == 0 && mon_env.v[2]->requests == 0);
	CHECK(!strcmp(mon_env.v[1]->req_why, "monitor: stop"));
	CHECK_EQ(mon_env.v[1]->req_from, 0);
	CHECK(vcpu_take_requests(mon_env.v[1]) == 1); /* beta's CPU acts on it */
	CHECK(strstr(mon_env.v[1]->end.reason, "at the request of cpu 0 (monitor: stop)") != NULL);
	mon_type("stop beta\r");
	CHECK(strstr(mon_out(), "\nstop: guest beta is not running (stopped (stopped by the hypervisor") != NULL);
	mon_type("stop delta\r");
	CHECK(!strcmp(mon_answer(), "stop: no guest named 'delta' (guests lists them)\nhv> "));
	mon_env_teardown();
}

TEST(monitor_log_shows_the_hypervisors_recent_messages_only)
{
	mon_env_setup();
	log_ring_reset();
	mon_type("log\r");
	CHECK(strstr(mon_out(), "\nlog: no hypervisor messages yet\n") != NULL);
	hv_printf("hv: monitor test message %d\n", 1);
	mon_type("help\r"); /* the monitor's own answers are not kept */
	hv_printf("hv: monitor test message %d\n", 2);
	mon_type("log\r");
	CHECK(strstr(mon_out(), "log: the last 54 bytes of hypervisor messages\n"
				"hv: monitor test message 1\nhv: monitor test message 2\n") != NULL);
	CHECK(mon_count("this list") == 0);
	mon_type("log 5\r");
	CHECK(strstr(mon_out(), "usage: log\n") != NULL);
	mon_env_teardown();
}

TEST(monitor_log_keeps_the_newest_8k_and_starts_at_a_whole_line)
{
	mon_env_setup();
	log_ring_reset();
	for (int i = 0; i < 400; i++)
		hv_printf("hv: line %03d of the flood\n", i); /* 26 bytes each: 10400 */
	mon_type("log\r");
	CHECK(strstr(mon_out(), "(older ones overwritten)\n") != NULL);
	CHECK(strstr(mon_out(), "hv: line 399 of the flood\n") != NULL);
	CHECK(strstr(mon_out(), "hv: line 084 of the flood\n") == NULL);
	/* 8192 bytes hold 315 lines and 2 bytes: the partial line is left out. */
	CHECK(strstr(mon_out(), "overwritten)\nhv: line 085 of the flood\n") != NULL);
	log_ring_reset();
	mon_env_teardown();
}

TEST(monitor_log_ring_keeps_the_tail_of_a_put_larger_than_itself)
{
	static char big[3 * LOG_RING_SIZE + 1000], back[LOG_RING_SIZE];
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)('a' + i % 23);
	log_ring_reset();
	log_ring_put("x", 1);
	log_ring_put(big, sizeof(big));
	bool cut;
	size_t n = log_ring_read(back, sizeof(back), &cut);
	CHECK(n == LOG_RING_SIZE && cut);
	CHECK(!memcmp(back, big + sizeof(big) - LOG_RING_SIZE, LOG_RING_SIZE));
	log_ring_reset();
	CHECK(log_ring_read(back, sizeof(back), &cut) == 0 && !cut);
}

TEST(monitor_restart_asks_that_guests_cpu_and_refuses_ended_guests)
{
	mon_env_setup();
	mon_type("restart gamma\r");
	CHECK(!strcmp(mon_answer(), "restart: asked cpu 2 to restart guest gamma\nhv> "));
	CHECK(mon_env.v[2]->requests == VCPU_REQ_RESTART);
	CHECK(mon_env.v[0]->requests == 0 && mon_env.v[1]->requests == 0);
	CHECK(!strcmp(mon_env.v[2]->req_why, "monitor: restart"));
	mon_env.v[1]->end.kind = GUEST_PASSED;
	mon_type("restart beta\r");
	CHECK(!strcmp(mon_answer(), "restart: guest beta is not running (finished: passed): an ended "
				    "guest is not restarted\nhv> "));
	CHECK(mon_env.v[1]->requests == 0);
	mon_type("restart\r");
	CHECK(!strcmp(mon_answer(), "usage: restart NAME\nhv> "));
	mon_type("restart zeta\r");
	CHECK(!strcmp(mon_answer(), "restart: no guest named 'zeta' (guests lists them)\nhv> "));
	mon_env_teardown();
}
