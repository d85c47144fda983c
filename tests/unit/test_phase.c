/*
 * Unit tests of phase: every line of real CRIU 4.2.1 logs goes through
 * criu_log_parse_line() and phase_next(), and the phases the run passes
 * through are exactly the expected ones, in order.
 */
#include "unit.h"

#include "phase.h"

#define MAX_TRANSITIONS 16

/*
 * dump-ok.log dumps two tasks (14 and its child 15): CRIU infects, dumps
 * the pages and writes the core of one task, then of the next, so
 * parasite, memory and writing come twice.  A failed dump still unfreezes
 * the tree it seized ("Unfreezing tasks into 1") before "Dumping FAILED.".
 */
static const struct {
	const char *file;
	/* The phases entered, in order.  STARTING comes only first, so the
	 * zeroes after the list (PHASE_STARTING) end it. */
	enum phase want[MAX_TRANSITIONS];
} log_cases[] = {
	{"criu-4.2.1/dump-ok.log",
	 {PHASE_STARTING, PHASE_COLLECTING, PHASE_PARASITE, PHASE_MEMORY, PHASE_WRITING,
	  PHASE_PARASITE, PHASE_MEMORY, PHASE_WRITING, PHASE_RESUMING, PHASE_FINISHED}},
	{"criu-4.2.1/dump-tcp-ok.log",
	 {PHASE_STARTING, PHASE_COLLECTING, PHASE_PARASITE, PHASE_MEMORY, PHASE_WRITING,
	  PHASE_RESUMING, PHASE_FINISHED}},
	{"criu-4.2.1/restore-ok.log", {PHASE_STARTING, PHASE_RESTORING, PHASE_FINISHED}},
	{"criu-4.2.1/restore-tcp-ok.log", {PHASE_STARTING, PHASE_RESTORING, PHASE_FINISHED}},
	{"criu-4.2.1/restore-pid-in-use.log", {PHASE_STARTING, PHASE_RESTORING, PHASE_FAILED}},
	/* Fails after the parasite collected the session: no memory was dumped. */
	{"criu-4.2.1/dump-session-leader.log",
	 {PHASE_STARTING, PHASE_COLLECTING, PHASE_PARASITE, PHASE_RESUMING, PHASE_FAILED}},
	{"criu-4.2.1/dump-tcp-no-established.log",
	 {PHASE_STARTING, PHASE_COLLECTING, PHASE_PARASITE, PHASE_RESUMING, PHASE_FAILED}},
	/* Ten silent seconds collecting, then the cleanup after the timeout. */
	{"criu-4.2.1/dump-vfork-dstate.log",
	 {PHASE_STARTING, PHASE_COLLECTING, PHASE_RESUMING, PHASE_FAILED}},
	/* criu was SIGKILLed while infecting: the log just stops. */
	{"criu-4.2.1/dump-fault-detach.log", {PHASE_STARTING, PHASE_COLLECTING, PHASE_PARASITE}},
};

/* Feed buf line by line; record every change of phase into seen[]. */
static size_t walk(const char *buf, size_t len, enum phase *seen, size_t max, size_t *lines)
{
	enum phase p = PHASE_STARTING;
	size_t n = 0;

	seen[n++] = p;
	*lines = 0;
	for (const char *s = buf; s < buf + len;) {
		const char *nl = memchr(s, '\n', (size_t)(buf + len - s));
		size_t k = nl ? (size_t)(nl - s) : (size_t)(buf + len - s);
		struct log_line l;
		enum phase next;

		criu_log_parse_line(s, k, &l);
		next = phase_next(p, &l);
		if (next != p && n < max)
			seen[n++] = next;
		p = next;
		(*lines)++;
		s += k + 1;
	}
	return n;
}

static void test_real_logs(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(log_cases) / sizeof(log_cases[0]); i++) {
		const char *row = log_cases[i].file;
		const enum phase *want = log_cases[i].want;
		enum phase seen[MAX_TRANSITIONS + 1];
		size_t len, lines, n_want = 1;
		char *log = fixture_read(row, &len);
		size_t n = walk(log, len, seen, MAX_TRANSITIONS + 1, &lines);

		while (n_want < MAX_TRANSITIONS && want[n_want] != PHASE_STARTING)
			n_want++;
		if (lines < 50)
			fail_msg("%s: only %zu lines", row, lines);
		for (size_t k = 0; k < n && k < n_want; k++)
			if (seen[k] != want[k])
				fail_msg("%s: phase #%zu is %s, want %s", row, k, phase_id(seen[k]),
					 phase_id(want[k]));
		check_int(row, n, n_want);
		free(log);
	}
}

static struct log_line parse(const char *line)
{
	struct log_line l;

	criu_log_parse_line(line, strlen(line), &l);
	return l;
}

/* One line from a phase: the phase it leads to. */
static const struct {
	enum phase from;
	const char *line;
	enum phase want;
} line_cases[] = {
	{PHASE_STARTING, "(00.008716) Dumping processes (pid: 14 comm: sh)", PHASE_COLLECTING},
	{PHASE_STARTING, "(00.001000) Pre-dumping processes (pid: 14 comm: sh)", PHASE_COLLECTING},
	{PHASE_COLLECTING, "(00.009100) Seized task 14, state 1", PHASE_COLLECTING},
	{PHASE_COLLECTING, "(00.011) Putting parasite blob into 0x7f7adf618000->0x7fcf1bff0000",
	 PHASE_PARASITE},
	{PHASE_PARASITE, "(00.012) Dumping pages (type: 59 pid: 14)", PHASE_MEMORY},
	{PHASE_MEMORY, "(00.013) Dumping core (pid: 14)", PHASE_WRITING},
	{PHASE_MEMORY, "(00.013) Dumping mm (pid: 14)", PHASE_WRITING},
	{PHASE_WRITING, "(00.020) Writing image inventory (version 1)", PHASE_WRITING},
	{PHASE_WRITING, "(00.021) Unfreezing tasks into 2", PHASE_RESUMING},
	{PHASE_RESUMING, "(00.022) Dumping finished successfully", PHASE_FINISHED},
	{PHASE_COLLECTING, "(00.1) Pre-dumping finished successfully", PHASE_FINISHED},
	{PHASE_STARTING, "(00.004)      1: Forking task with 14 pid (flags 0x0)", PHASE_RESTORING},
	{PHASE_RESTORING, "(00.030) Restore finished successfully. Tasks resumed.", PHASE_FINISHED},
	{PHASE_RESUMING, "(10.025808) Error (criu/cr-dump.c:1975): Dumping FAILED.", PHASE_FAILED},
	{PHASE_COLLECTING, "(0.1) Error (criu/cr-dump.c:1): Pre-dumping FAILED.", PHASE_FAILED},
	{PHASE_RESTORING, "(00.004) Error (criu/cr-restore.c:2): Restoring FAILED.", PHASE_FAILED},
	/* Lines that are no marker keep the phase. */
	{PHASE_MEMORY, "(00.014) Dumping shared signals of 14", PHASE_MEMORY},
	{PHASE_PARASITE, "", PHASE_PARASITE},
	{PHASE_COLLECTING, "pie: 14: Daemon waits for command", PHASE_COLLECTING},
	/* A marker must start the message, not appear inside it. */
	{PHASE_COLLECTING, "(00.1) Warn  (a.c:1): not Dumping pages (type: 1)", PHASE_COLLECTING},
	/* Finished and failed are final. */
	{PHASE_FINISHED, "(00.1) Dumping processes (pid: 14 comm: sh)", PHASE_FINISHED},
	{PHASE_FINISHED, "(00.1) Error (criu/cr-dump.c:1975): Dumping FAILED.", PHASE_FINISHED},
	{PHASE_FAILED, "(00.1) Dumping finished successfully", PHASE_FAILED},
	{PHASE_FAILED, "(00.1) Forking task with 14 pid (flags 0x0)", PHASE_FAILED},
};

static void test_lines(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(line_cases) / sizeof(line_cases[0]); i++) {
		const char *row = line_cases[i].line;
		struct log_line l = parse(row);

		check_str(row, phase_id(phase_next(line_cases[i].from, &l)),
			  phase_id(line_cases[i].want));
	}
}

/* Once finished or failed, every line of a whole log keeps the phase. */
static void test_sticky(void **state)
{
	static const char *const files[] = {"criu-4.2.1/dump-ok.log", "criu-4.2.1/restore-ok.log",
					    "criu-4.2.1/dump-vfork-dstate.log"};
	static const enum phase finals[] = {PHASE_FINISHED, PHASE_FAILED};

	(void)state;
	for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		size_t len;
		char *log = fixture_read(files[f], &len);

		for (size_t k = 0; k < sizeof(finals) / sizeof(finals[0]); k++) {
			enum phase p = finals[k];

			for (const char *s = log; s < log + len;) {
				const char *nl = memchr(s, '\n', (size_t)(log + len - s));
				size_t n = nl ? (size_t)(nl - s) : (size_t)(log + len - s);
				struct log_line l;

				criu_log_parse_line(s, n, &l);
				p = phase_next(p, &l);
				s += n + 1;
			}
			check_str(files[f], phase_id(p), phase_id(finals[k]));
		}
		free(log);
	}
}

static void test_names(void **state)
{
	static const char *const ids[] = {"starting", "collecting", "parasite", "memory", "writing",
					  "resuming", "restoring",  "finished", "failed"};
	const size_t n = sizeof(ids) / sizeof(ids[0]);

	(void)state;
	assert_int_equal(PHASE_FAILED + 1, n);
	for (size_t i = 0; i < n; i++) {
		const char *id = phase_id((enum phase)i), *name = phase_name((enum phase)i);

		check_str(ids[i], id, ids[i]);
		if (!name || !name[0])
			fail_msg("%s: empty phase_name", ids[i]);
		for (size_t k = 0; k < i; k++) {
			if (strcmp(id, phase_id((enum phase)k)) == 0)
				fail_msg("phase_id \"%s\" twice", id);
			if (strcmp(name, phase_name((enum phase)k)) == 0)
				fail_msg("phase_name \"%s\" twice", name);
		}
	}
	assert_string_equal(phase_name(PHASE_MEMORY), "dumping memory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_logs),
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_sticky),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
