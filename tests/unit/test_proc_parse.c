/* Unit tests of proc_parse: /proc/PID/stat and /proc/PID/cmdline text. */
#include "unit.h"

#include "proc_parse.h"

/* The fields after rss, as the kernel prints them: never read. */
#define STAT_TAIL                                                                                  \
	" 18446744073709551615 94558123446272 94558123535617 140726795093984 0 0 0 65536 4 "       \
	"65538 0 0 0 17 3 0 0 0 0 0 94558123557872 94558123562240 94558156066816 "                 \
	"140726795101869 140726795101885 140726795101885 140726795104238 0\n"

static const struct {
	const char *text;
	struct proc_stat want;
} stat_cases[] = {
	{"14 (sh) S 1 14 14 0 -1 4194560 305 0 0 0 0 0 0 0 20 0 1 0 5012 2732032 230" STAT_TAIL,
	 {14, "sh", 'S', 1, 14, 14, 0, 1, 5012, 2732032, 230, 4194560}},
	{"1234 (my prog) R 1 1234 1234 34817 1234 4194304 1 0 0 0 5 6 0 0 20 0 4 0 98765 "
	 "1073741824 4096" STAT_TAIL,
	 {1234, "my prog", 'R', 1, 1234, 1234, 34817, 4, 98765, 1073741824, 4096, 4194304}},
	/* comm with ')' : fields start after the last one. */
	{"1234 (a) b) R 1 2 3 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 7 8 9" STAT_TAIL,
	 {1234, "a) b", 'R', 1, 2, 3, 0, 1, 7, 8, 9, 0}},
	{"99 (x) S 1 2 3 4 5) D 7 99 99 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 11 12 13\n",
	 {99, "x) S 1 2 3 4 5", 'D', 7, 99, 99, 0, 1, 11, 12, 13, 0}},
	{"7 ((sd-pam)) S 6 6 6 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 100 200 300",
	 {7, "(sd-pam)", 'S', 6, 6, 6, 0, 1, 100, 200, 300, 0}},
	{"8 () Z 1 8 8 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 1 0 0",
	 {8, "", 'Z', 1, 8, 8, 0, 1, 1, 0, 0, 0}},
	/* init, a huge starttime and vsize, many threads, state t. */
	{"1 (systemd) t 0 1 1 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 2048 0 1099511627776 "
	 "140737488355328 9223372036854775807" STAT_TAIL,
	 {1, "systemd", 't', 0, 1, 1, 0, 2048, 1099511627776ULL, 140737488355328ULL,
	  9223372036854775807LL, 4194560}},
	/* kthreadd: PF_KTHREAD among the flags. */
	{"2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 20 0 0" STAT_TAIL,
	 {2, "kthreadd", 'S', 0, 0, 0, 0, 1, 20, 0, 0, 2129984}},
	/* A comm longer than the field is cut. */
	{"5 (0123456789012345678901234567890123456789) S 1 5 5 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 1 2 "
	 "3",
	 {5, "0123456789012345678901234567890", 'S', 1, 5, 5, 0, 1, 1, 2, 3, 0}},
};

static void test_stat(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(stat_cases) / sizeof(stat_cases[0]); i++) {
		const char *row = stat_cases[i].text;
		const struct proc_stat *w = &stat_cases[i].want;
		struct proc_stat st;

		check_int(row, proc_parse_stat(row, strlen(row), &st), 0);
		check_int(row, st.pid, w->pid);
		check_str(row, st.comm, w->comm);
		check_int(row, st.state, w->state);
		check_int(row, st.ppid, w->ppid);
		check_int(row, st.pgid, w->pgid);
		check_int(row, st.sid, w->sid);
		check_int(row, st.tty_nr, w->tty_nr);
		check_int(row, st.num_threads, w->num_threads);
		check_int(row, st.flags, w->flags);
		if (st.starttime != w->starttime || st.vsize != w->vsize ||
		    st.rss_pages != w->rss_pages)
			fail_msg("%s: starttime %llu vsize %llu rss %lld", row, st.starttime,
				 st.vsize, st.rss_pages);
	}
}

static const char *const bad_stat[] = {
	"",
	"garbage",
	"1234",
	"1234 (sh",
	"1234 sh) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 1 2 3",
	"1 )x( S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 1 2 3",
	"(sh) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 1 2 3",
	"x (sh) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 1 2 3",
	"1234 (sh)",
	"1234 (sh) S",
	/* cut after num_threads */
	"1234 (sh) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0",
	/* rss missing */
	"1234 (sh) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 1 2",
	"1234 (sh) S x 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 1 2 3",
	"1234 (sh) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 many 0 1 2 3",
};

static void test_stat_malformed(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_stat) / sizeof(bad_stat[0]); i++) {
		struct proc_stat st;

		check_int(bad_stat[i], proc_parse_stat(bad_stat[i], strlen(bad_stat[i]), &st), -1);
	}
}

/* Only len bytes are the text: a ')' past it does not count. */
static void test_stat_bounded(void **state)
{
	static const char text[] = "14 (sh) S 1 14 14 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 6 7) X";
	const size_t len = strlen(text) - strlen(") X");
	char *copy = malloc(len);
	struct proc_stat st;

	(void)state;
	assert_non_null(copy);
	memcpy(copy, text, len); /* no NUL: valgrind sees any read past len */
	assert_int_equal(proc_parse_stat(copy, len, &st), 0);
	assert_string_equal(st.comm, "sh");
	assert_int_equal(st.rss_pages, 7);
	assert_int_equal(proc_parse_stat(copy, len - 2, &st), -1);
	free(copy);
}

/* criuctl runs as pid 500 (a child of 400, a child of 1) in these rows. */
static const struct {
	const char *name;
	struct proc_stat st;
	int holds_self;
	const char *why; /* a substring of the reason, or NULL: fit */
} unfit_cases[] = {
	{"a workload", {.pid = 812, .comm = "app", .state = 'S', .flags = 0x400100}, 0, NULL},
	{"a stopped workload", {.pid = 812, .comm = "app", .state = 'T'}, 0, NULL},
	{"kthreadd",
	 {.pid = 2, .comm = "kthreadd", .state = 'S', .flags = 2129984},
	 0,
	 "a kernel thread"},
	{"a worker",
	 {.pid = 30, .comm = "kworker/0:1", .state = 'I', .flags = 0x04208060},
	 0,
	 "a kernel thread"},
	{"a zombie", {.pid = 900, .comm = "sh", .state = 'Z'}, 0, "a zombie"},
	{"a dead task", {.pid = 900, .comm = "sh", .state = 'X'}, 0, "a zombie"},
	{"criuctl", {.pid = 500, .comm = "criuctl", .state = 'R'}, 1, "criuctl itself"},
	{"its shell", {.pid = 400, .comm = "bash", .state = 'S'}, 1, "an ancestor of criuctl"},
	{"init",
	 {.pid = 1, .comm = "systemd", .state = 'S', .flags = 0x400100},
	 1,
	 "an ancestor of criuctl"},
};

static void test_root_unfit(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(unfit_cases) / sizeof(unfit_cases[0]); i++) {
		const char *why =
			proc_root_unfit(&unfit_cases[i].st, 500, unfit_cases[i].holds_self);

		if (!unfit_cases[i].why && why)
			fail_msg("%s: refused as %s", unfit_cases[i].name, why);
		if (unfit_cases[i].why && (!why || !strstr(why, unfit_cases[i].why)))
			fail_msg("%s: reason \"%s\" lacks \"%s\"", unfit_cases[i].name,
				 why ? why : "(fit)", unfit_cases[i].why);
	}
}

static const struct {
	const char *name;
	const char *buf;
	size_t len;
	size_t size;
	const char *want;
} cmdline_cases[] = {
	{"args", "sleep\0infinity\0", 15, 64, "sleep infinity"},
	{"no final NUL", "sleep\0infinity", 14, 64, "sleep infinity"},
	{"trailing NULs", "a\0\0\0", 4, 64, "a"},
	{"empty argument inside", "a\0\0b\0", 5, 64, "a  b"},
	{"empty (kernel thread)", "", 0, 64, ""},
	{"only NULs", "\0\0", 2, 64, ""},
	{"control characters kept", "a\tb\nc\x7f\x1b[0m", 10, 64, "a\tb\nc\x7f\x1b[0m"},
	{"not UTF-8 kept", "a\xff\0b\0", 5, 64, "a\xff b"},
	{"UTF-8 kept", "caf\xc3\xa9\0", 6, 64, "caf\xc3\xa9"},
	{"truncated", "sleep\0infinity\0", 15, 6, "sleep"},
	{"truncated after a NUL", "sleep\0infinity\0", 15, 7, "sleep "},
	{"room for the NUL only", "sleep\0", 6, 1, ""},
};

static void test_cmdline(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cmdline_cases) / sizeof(cmdline_cases[0]); i++) {
		char dst[64];

		memset(dst, '#', sizeof(dst));
		proc_parse_cmdline(cmdline_cases[i].buf, cmdline_cases[i].len, dst,
				   cmdline_cases[i].size);
		check_str(cmdline_cases[i].name, dst, cmdline_cases[i].want);
		/* Nothing written past size. */
		if (cmdline_cases[i].size < sizeof(dst) && dst[cmdline_cases[i].size] != '#')
			fail_msg("%s: wrote past size", cmdline_cases[i].name);
	}
}

static void test_cmdline_size_zero(void **state)
{
	char dst[4] = "###";

	(void)state;
	proc_parse_cmdline("sleep\0", 6, dst, 0);
	assert_string_equal(dst, "###");
}

#define STATUS_HEAD                                                                                \
	"Name:\tsh\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t14\nNgid:\t0\nPid:\t14\nPPid:\t1\n"
#define STATUS_TAIL "Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n"

static const struct {
	const char *name;
	const char *text;
	int want;
} tracer_cases[] = {
	{"not traced", STATUS_HEAD "TracerPid:\t0\n" STATUS_TAIL, 0},
	{"traced by criu", STATUS_HEAD "TracerPid:\t4242\n" STATUS_TAIL, 4242},
	{"no TracerPid line", STATUS_HEAD STATUS_TAIL, -1},
	{"not a number", STATUS_HEAD "TracerPid:\tnone\n", -1},
	{"empty", "", -1},
};

static void test_tracer(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(tracer_cases) / sizeof(tracer_cases[0]); i++) {
		size_t len = strlen(tracer_cases[i].text);
		char *copy = malloc(len + 1);

		assert_non_null(copy);
		memcpy(copy, tracer_cases[i].text, len); /* no NUL: valgrind sees reads past len */
		check_int(tracer_cases[i].name, proc_parse_tracer(copy, len), tracer_cases[i].want);
		free(copy);
	}
}

/* The text ends right after the number: nothing past len is read. */
static void test_tracer_at_end(void **state)
{
	static const char text[] = STATUS_HEAD "TracerPid:\t77";
	char *copy = malloc(sizeof(text) - 1);

	(void)state;
	assert_non_null(copy);
	memcpy(copy, text, sizeof(text) - 1);
	assert_int_equal(proc_parse_tracer(copy, sizeof(text) - 1), 77);
	assert_int_equal(proc_parse_tracer(copy, sizeof(text) - 2), 7);
	free(copy);
}

static const struct {
	const char *text;
	long want;
} syscall_cases[] = {
	{"61 0xffffffffffffffff 0x7ffd2b5a1c5c 0x0 0x0 0x0 0x0 0x7ffd2b5a1c38 0x7f3c5e0e7a1a\n",
	 61},
	{"230 0x1 0x0 0x7ffc 0x0 0x0 0x0 0x7ffc 0x7f00\n", 230},
	{"0 0x3 0x7ffd 0x2000 0x0 0x0 0x0 0x7ffd 0x7f00\n", 0},
	{"-1 0x7ffd2b5a1c38 0x7f3c5e0e7a1a\n", -1},
	{"running\n", -2},
	{"", -2},
	{"x1", -2},
};

static void test_syscall(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(syscall_cases) / sizeof(syscall_cases[0]); i++) {
		size_t len = strlen(syscall_cases[i].text);
		char *copy = malloc(len + 1);

		assert_non_null(copy);
		memcpy(copy, syscall_cases[i].text, len);
		check_int(syscall_cases[i].text, proc_parse_syscall(copy, len),
			  syscall_cases[i].want);
		free(copy);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stat),	     cmocka_unit_test(test_stat_malformed),
		cmocka_unit_test(test_stat_bounded), cmocka_unit_test(test_root_unfit),
		cmocka_unit_test(test_cmdline),	     cmocka_unit_test(test_cmdline_size_zero),
		cmocka_unit_test(test_tracer),	     cmocka_unit_test(test_tracer_at_end),
		cmocka_unit_test(test_syscall),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
