/* The serial monitor's line editor (hv/monitor.c), typed into through a fake console. */
#include <string.h>
#include "hv/monitor.h"
#include "tests/host/harness.h"
#include "tests/host/monitor_test_env.h"

TEST(monitor_editor_echoes_printable_and_runs_on_enter)
{
	mon_env_setup();
	monitor_enter();
	mon_type("hel");
	CHECK(!strcmp(mon_out(), "hel"));
	mon_type("p\r");
	CHECK(!strncmp(mon_out(), "p\n  help ", 9)); /* echo, newline, then help's first line */
	CHECK(mon_count("hv> ") == 1);                  /* one prompt after the answer */
	CHECK(mon_count("unknown command") == 0);
	mon_env_teardown();
}

TEST(monitor_editor_backspace_and_del_take_back_one_character)
{
	mon_env_setup();
	mon_type("hx\x7f" "el\x08" "lp");
	CHECK(!strcmp(mon_out(), "hx\b \bel\b \blp"));
	mon_type("\r");
	CHECK(strstr(mon_out(), "  guests ") != NULL); /* the line was "help" */
	mon_type("\x7f\x08"); /* on an empty line: nothing */
	CHECK(!strcmp(mon_out(), ""));
	mon_env_teardown();
}

TEST(monitor_editor_ctrl_u_kills_the_line)
{
	mon_env_setup();
	mon_type("regs alpha\x15");
	CHECK(mon_count("\b \b") == 10);
	mon_type("help\r");
	CHECK(strstr(mon_out(), "  regs NAME ") != NULL);
	CHECK(strstr(mon_out(), "rax") == NULL);
	mon_env_teardown();
}

TEST(monitor_editor_ctrl_c_abandons_the_line)
{
	mon_env_setup();
	mon_type("stop beta\x03");
	CHECK(strstr(mon_out(), "^C\nhv> ") != NULL);
	mon_type("\r");
	CHECK(!strcmp(mon_answer(), "hv> ")); /* nothing ran */
	CHECK(mon_env.v[1]->requests == 0);
	mon_env_teardown();
}

TEST(monitor_editor_refuses_overlong_lines)
{
	mon_env_setup();
	char line[MONITOR_LINE_MAX + 10];
	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = 0;
	mon_type(line);
	CHECK(mon_count("x") == MONITOR_LINE_MAX); /* the rest is not echoed */
	CHECK(mon_count("\a") == 1);               /* one bell */
	mon_type("\r");
	CHECK(strstr(mon_out(), "line too long (more than 79 characters): ignored\n") != NULL);
	CHECK(mon_count("unknown command") == 0);
	mon_type("help\r"); /* the editor is usable again */
	CHECK(strstr(mon_out(), "  top ") != NULL);
	/* Exactly MONITOR_LINE_MAX characters is still a line. */
	memset(line, ' ', MONITOR_LINE_MAX);
	memcpy(line + MONITOR_LINE_MAX - 4, "help", 4);
	line[MONITOR_LINE_MAX] = 0;
	mon_type(line);
	mon_type("\r");
	CHECK(strstr(mon_out(), "  top ") != NULL);
	CHECK(mon_count("too long") == 0);
	mon_env_teardown();
}

TEST(monitor_editor_crlf_is_one_enter_and_escapes_are_ignored)
{
	mon_env_setup();
	mon_type("\r\n");
	CHECK(mon_count("hv> ") == 1);
	mon_type("\x1b[A\x1b[1;5C\x1bOPhelp\x01\x7f\x08\r"); /* arrows, F1, Ctrl-A, nothing typed */
	CHECK(mon_count("[A") == 0);
	CHECK(strstr(mon_out(), "help\b \b") != NULL);
	mon_type("he\x1b[Dlp\r");
	CHECK(strstr(mon_out(), "  mem NAME ADDR [LEN] ") != NULL);
	mon_env_teardown();
}

TEST(monitor_unknown_commands_and_wrong_argument_counts_answer_one_line)
{
	mon_env_setup();
	mon_type("frobnicate now\r");
	CHECK(!strcmp(mon_answer(), "unknown command 'frobnicate' (help lists the commands)\nhv> "));
	mon_type("regs\r");
	CHECK(!strcmp(mon_answer(), "usage: regs NAME\nhv> "));
	mon_type("regs alpha beta\r");
	CHECK(!strcmp(mon_answer(), "usage: regs NAME\nhv> "));
	mon_type("mem alpha\r");
	CHECK(!strcmp(mon_answer(), "usage: mem NAME ADDR [LEN]\nhv> "));
	mon_type("guests all\r");
	CHECK(!strcmp(mon_answer(), "usage: guests\nhv> "));
	mon_type("a b c d e f g h\r");
	CHECK(!strcmp(mon_answer(), "unknown command 'a' (help lists the commands)\nhv> "));
	mon_type("mem a b c d e f\r");
	CHECK(!strcmp(mon_answer(), "usage: mem NAME ADDR [LEN]\nhv> "));
	mon_env_teardown();
}

TEST(monitor_help_lists_every_command_on_one_line_each)
{
	mon_env_setup();
	mon_type("help\r");
	static const char *const cmds[] = { "help", "guests", "top", "regs NAME", "xstate NAME",
					    "msrs NAME", "mem NAME ADDR [LEN]", "stop NAME",
					    "restart NAME", "log" };
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		char want[48];
		snprintf(want, sizeof(want), "\n  %s ", cmds[i]);
		CHECK(mon_count(want) == 1);
	}
	CHECK(mon_count("\n") == 1 + 10); /* the Enter, then one line per command */
	mon_env_teardown();
}
