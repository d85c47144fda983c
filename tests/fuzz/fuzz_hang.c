/*
 * Fuzzes hang: the diagnosis of a stalled criu run, from a snapshot read
 * the way proc_hang_task() reads /proc (stat, wchan, syscall, status and
 * stack text through proc_parse).  Input: a first line "PHASE IDLE", then
 * one task a line, tab-separated: role (c criu, h its helper, else the
 * tree), stat, wchan, syscall, status (the TracerPid line), stack.
 */
#include "fuzz.h"

#include "hang.h"
#include "proc_parse.h"
#include "text.h"

#define MAX_TASKS 64

/* The next tab-separated field of [*p, end) as a C string into dst. */
static void field(const char **p, const char *end, char *dst, size_t size)
{
	const char *tab = memchr(*p, '\t', (size_t)(end - *p));
	size_t n = tab ? (size_t)(tab - *p) : (size_t)(end - *p);

	snprintf(dst, size, "%.*s", (int)n, *p);
	*p = tab ? tab + 1 : end;
}

static void read_task(const char *line, const char *end, struct hang_task *t)
{
	char text[1024];
	struct proc_stat st;

	memset(t, 0, sizeof(*t));
	field(&line, end, text, sizeof(text));
	t->role = text[0] == 'c' ? HANG_CRIU : text[0] == 'h' ? HANG_CRIU_CHILD : HANG_TARGET;
	field(&line, end, text, sizeof(text));
	t->state = '?';
	if (proc_parse_stat(text, strlen(text), &st) == 0) {
		t->pid = st.pid;
		t->ppid = st.ppid;
		t->state = st.state;
		snprintf(t->comm, sizeof(t->comm), "%s", st.comm);
	}
	field(&line, end, t->wchan, sizeof(t->wchan));
	if (strcmp(t->wchan, "0") == 0)
		t->wchan[0] = '\0';
	field(&line, end, text, sizeof(text));
	t->syscall = proc_parse_syscall(text, strlen(text));
	text[0] = '\n';
	field(&line, end, text + 1, sizeof(text) - 1);
	t->tracer_pid = proc_parse_tracer(text, strlen(text));
	field(&line, end, t->stack, sizeof(t->stack));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size, *line;
	struct hang_task tasks[MAX_TASKS];
	struct hang_input in = {.tasks = tasks};
	struct hang_diag d;
	char head[64];
	size_t len;
	int phase = 0;

	if (!text_next_line(&p, end, &line, &len))
		return 0;
	snprintf(head, sizeof(head), "%.*s", (int)len, line);
	if (sscanf(head, "%d %lf", &phase, &in.idle) < 1)
		phase = 0;
	in.phase = (enum phase)((unsigned)phase % (PHASE_FAILED + 1));
	while (in.n < MAX_TASKS && text_next_line(&p, end, &line, &len))
		read_task(line, line + len, &tasks[in.n++]);
	hang_diagnose(&in, &d);
	fuzz_check(d.kind >= 0 && d.kind < V_COUNT && (verdict_row(d.kind)->from & VFROM_HANG) &&
		   memchr(d.summary, '\0', sizeof(d.summary)));
	for (size_t i = 0; i < in.n; i++)
		(void)hang_syscall_name(tasks[i].syscall);
	return 0;
}
