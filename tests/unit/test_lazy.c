/*
 * Unit tests of lazy: the lazy-pages daemon's log, line by line (one table
 * row per line shape), and the two real logs of tests/fixtures/criu-4.2.1:
 * a daemon that served every page, and one SIGKILLed as the tree ran; what
 * the daemon's end means for the restore.
 */
#include "unit.h"

#include "lazy.h"

static void test_lines(void **state)
{
	static const struct {
		const char *line;
		int changed, listening;
		unsigned tasks, tasks_done;
		uint64_t total, copied;
	} rows[] = {
		{"(00.001110) uffd: Waiting for incoming connections on lazy-pages.socket", 1, 1, 0,
		 0, 0, 0},
		{"(00.141077) uffd: 14-8: Found 16989 pages to be handled by UFFD", 1, 0, 1, 0,
		 16989, 0},
		{"(00.146967) uffd: 14-8: uffd_copy: 0x7f1c06087000/4096", 1, 0, 0, 0, 0, 1},
		{"(00.147249) uffd: 14-8: uffd_copy: 0xbf2000/8192", 1, 0, 0, 0, 0, 2},
		{"(00.586605) uffd: 4-8: uffd_copy: 0x7ffeda947000/69632", 1, 0, 0, 0, 0, 17},
		/* a part of a page counts as the page */
		{"uffd: 4-8: uffd_copy: 0x1000/100", 1, 0, 0, 0, 0, 1},
		{"(00.259198) uffd: 14-8: UFFD transferred pages: (16989/16989)", 1, 0, 0, 1, 0, 0},
		/* not the daemon's progress */
		{"(00.146932) uffd: 14-8: #PF at 0x7f1c06087000", 0, 0, 0, 0, 0, 0},
		{"(00.000036) Version: 4.2.1 (gitid 0)", 0, 0, 0, 0, 0, 0},
		{"uffd: 4-8: uffd_copy: 0x7ffeda947000", 0, 0, 0, 0, 0, 0},
		{"", 0, 0, 0, 0, 0, 0},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct lazy_progress p = {0};

		check_int(rows[i].line, lazy_take_line(&p, rows[i].line, strlen(rows[i].line)),
			  rows[i].changed);
		check_int(rows[i].line, p.listening, rows[i].listening);
		check_int(rows[i].line, p.tasks, rows[i].tasks);
		check_int(rows[i].line, p.tasks_done, rows[i].tasks_done);
		check_int(rows[i].line, p.pages_total, rows[i].total);
		check_int(rows[i].line, p.pages_copied, rows[i].copied);
	}
}

/* Feed a whole log, line by line, as the supervisor does. */
static struct lazy_progress feed(const char *rel)
{
	struct lazy_progress p = {0};
	size_t len;
	char *text = fixture_read(rel, &len), *line = text, *nl;

	while (line < text + len) {
		nl = memchr(line, '\n', (size_t)(text + len - line));
		if (!nl)
			nl = text + len;
		lazy_take_line(&p, line, (size_t)(nl - line));
		line = nl + 1;
	}
	free(text);
	return p;
}

static void test_real_logs(void **state)
{
	static const struct {
		const char *file;
		int complete;
		uint64_t total, copied_min, copied_max;
	} rows[] = {
		/* every page of the 64 MiB counter came in, then the daemon exited 0 */
		{"criu-4.2.1/lazy-pages-ok.log", 1, 16989, 16989, 16989},
		/* killed as the tree ran: some pages in, never all */
		{"criu-4.2.1/lazy-pages-killed.log", 0, 16989, 1, 16988},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct lazy_progress p = feed(rows[i].file);

		check_int(rows[i].file, p.listening, 1);
		check_int(rows[i].file, p.tasks, 1);
		check_int(rows[i].file, lazy_complete(&p), rows[i].complete);
		check_int(rows[i].file, p.pages_total, rows[i].total);
		if (p.pages_copied < rows[i].copied_min || p.pages_copied > rows[i].copied_max)
			fail_msg("%s: %llu pages copied", rows[i].file,
				 (unsigned long long)p.pages_copied);
	}
}

static void test_complete_needs_a_task(void **state)
{
	struct lazy_progress p = {.listening = 1};

	(void)state;
	/* a daemon nobody connected to has not served anything */
	check_int("no task", lazy_complete(&p), 0);
	p.tasks = 2;
	p.tasks_done = 1;
	check_int("one of two", lazy_complete(&p), 0);
	p.tasks_done = 2;
	check_int("two of two", lazy_complete(&p), 1);
}

static void test_judge(void **state)
{
	static const struct {
		const char *row;
		struct lazy_end end;
		int ok, kind, exit_code, kill_tree;
	} rows[] = {
		{"every page in, exit 0", {1, 1, LAZY_STOP_NONE, 0}, 1, V_COUNT, 0, 0},
		/* once every page is in, how the daemon ended cannot hurt the tree */
		{"every page in, then a failed exit", {1, 0, LAZY_STOP_NONE, 0}, 1, V_COUNT, 0, 0},
		{"killed by someone before the last page",
		 {0, 0, LAZY_STOP_NONE, 0},
		 0,
		 V_LAZY_PAGES_LOST,
		 1,
		 1},
		{"exit 0 without every page",
		 {0, 1, LAZY_STOP_NONE, 0},
		 0,
		 V_LAZY_PAGES_LOST,
		 1,
		 1},
		{"stalled", {0, 0, LAZY_STOP_STALL, 0}, 0, V_STALLED, 4, 1},
		{"deadline", {0, 0, LAZY_STOP_DEADLINE, 0}, 0, V_TIMEOUT, 4, 1},
		{"criuctl got SIGINT", {0, 0, LAZY_STOP_SIGNAL, 2}, 0, V_INTERRUPTED, 130, 1},
		{"criuctl got SIGTERM", {0, 0, LAZY_STOP_SIGNAL, 15}, 0, V_INTERRUPTED, 143, 1},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct lazy_judgement j;

		lazy_judge(&rows[i].end, &j);
		check_int(rows[i].row, j.ok, rows[i].ok);
		check_int(rows[i].row, j.kind, rows[i].kind);
		check_int(rows[i].row, j.exit_code, rows[i].exit_code);
		check_int(rows[i].row, j.kill_tree, rows[i].kill_tree);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_real_logs),
		cmocka_unit_test(test_complete_needs_a_task),
		cmocka_unit_test(test_judge),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
