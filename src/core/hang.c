/*
 * hang: the diagnosis rules, most specific first.  A stopped criu explains
 * everything after it; a target task in D state is the usual reason CRIU
 * cannot seize a tree (a vfork parent waits for its child in D state until
 * the child execs or exits); a foreign tracer makes PTRACE_SEIZE fail.
 */
#include "hang.h"

#include <stdio.h>
#include <string.h>

static const struct {
	long nr;
	const char *name;
} syscalls[] = {
	{0, "read"},	      {1, "write"},	 {7, "poll"},	    {17, "pread64"},
	{18, "pwrite64"},     {19, "readv"},	 {20, "writev"},    {23, "select"},
	{34, "pause"},	      {35, "nanosleep"}, {44, "sendto"},    {45, "recvfrom"},
	{46, "sendmsg"},      {47, "recvmsg"},	 {56, "clone"},	    {57, "fork"},
	{58, "vfork"},	      {61, "wait4"},	 {72, "fcntl"},	    {73, "flock"},
	{74, "fsync"},	      {101, "ptrace"},	 {202, "futex"},    {230, "clock_nanosleep"},
	{232, "epoll_wait"},  {247, "waitid"},	 {270, "pselect6"}, {271, "ppoll"},
	{281, "epoll_pwait"}, {435, "clone3"},
};

const char *hang_syscall_name(long nr)
{
	for (size_t i = 0; i < sizeof(syscalls) / sizeof(syscalls[0]); i++)
		if (syscalls[i].nr == nr)
			return syscalls[i].name;
	return NULL;
}

static const struct hang_task *find(const struct hang_input *in, int pid)
{
	for (size_t i = 0; i < in->n; i++)
		if (in->tasks[i].pid == pid)
			return &in->tasks[i];
	return NULL;
}

static int is_criu(const struct hang_input *in, int pid)
{
	const struct hang_task *t = find(in, pid);

	return t && t->role != HANG_TARGET;
}

/* The first task of a role matching pred; HANG_CRIU_CHILD means criu or
 * any of its helpers. */
static const struct hang_task *first(const struct hang_input *in, enum hang_role role,
				     int (*pred)(const struct hang_input *,
						 const struct hang_task *))
{
	for (size_t i = 0; i < in->n; i++)
		if ((in->tasks[i].role == role ||
		     (role == HANG_CRIU_CHILD && in->tasks[i].role == HANG_CRIU)) &&
		    pred(in, &in->tasks[i]))
			return &in->tasks[i];
	return NULL;
}

static int stopped(const struct hang_input *in, const struct hang_task *t)
{
	(void)in;
	return t->state == 'T';
}

static int uninterruptible(const struct hang_input *in, const struct hang_task *t)
{
	(void)in;
	return t->state == 'D';
}

static int foreign_tracer(const struct hang_input *in, const struct hang_task *t)
{
	return t->tracer_pid > 0 && !is_criu(in, t->tracer_pid);
}

static int blocked(const struct hang_input *in, const struct hang_task *t)
{
	(void)in;
	return t->state == 'S' &&
	       (strstr(t->wchan, "pipe") || strstr(t->wchan, "wait") || t->syscall == 61 ||
		t->syscall == 247 || t->syscall == 0 || t->syscall == 1);
}

/* The vfork child of a D-state parent, if the tree shows one.  The
 * parent's wchan says kernel_clone, not vfork (Linux 6.18); the syscall
 * number tells even when /proc/PID/stack is unreadable. */
static const struct hang_task *vfork_child(const struct hang_input *in, const struct hang_task *p)
{
	if (p->syscall != 58 && !strstr(p->wchan, "vfork") && !strstr(p->stack, "vfork"))
		return NULL;
	for (size_t i = 0; i < in->n; i++)
		if (in->tasks[i].ppid == p->pid)
			return &in->tasks[i];
	return p; /* a vfork parent whose child is outside the snapshot */
}

static void diag_d_state(const struct hang_input *in, const struct hang_task *t,
			 struct hang_diag *out)
{
	const struct hang_task *child = vfork_child(in, t);

	out->kind = V_TASK_UNINTERRUPTIBLE;
	out->culprit = t->pid;
	if (child && child != t)
		snprintf(out->summary, sizeof(out->summary),
			 "task %d (%s) is in uninterruptible sleep (state D, %s): a vfork "
			 "parent waiting for its child %d (%s, state %c) to exec or exit",
			 t->pid, t->comm, t->wchan[0] ? t->wchan : "vfork", child->pid, child->comm,
			 child->state);
	else
		snprintf(out->summary, sizeof(out->summary),
			 "task %d (%s) is in uninterruptible sleep (state D%s%s%s), so CRIU "
			 "cannot seize it",
			 t->pid, t->comm, t->wchan[0] ? ", in " : "", t->wchan,
			 child ? ", a vfork parent" : "");
}

static void diag_generic(const struct hang_input *in, struct hang_diag *out)
{
	const struct hang_task *criu = NULL;

	for (size_t i = 0; i < in->n && !criu; i++)
		if (in->tasks[i].role == HANG_CRIU)
			criu = &in->tasks[i];
	out->kind = V_STALLED;
	snprintf(out->summary, sizeof(out->summary),
		 "criu made no progress for %.1f s while %s (criu state %c%s%s)", in->idle,
		 phase_name(in->phase), criu ? criu->state : '?',
		 criu && criu->wchan[0] ? ", in " : "", criu ? criu->wchan : "");
	out->culprit = criu ? criu->pid : 0;
}

void hang_diagnose(const struct hang_input *in, struct hang_diag *out)
{
	const struct hang_task *t;

	memset(out, 0, sizeof(*out));
	if ((t = first(in, HANG_CRIU_CHILD, stopped))) {
		out->kind = V_CRIU_STOPPED;
		out->culprit = t->pid;
		snprintf(out->summary, sizeof(out->summary), "criu%s %d (%s) is stopped (state T)",
			 t->role == HANG_CRIU ? "" : "'s helper", t->pid, t->comm);
	} else if ((t = first(in, HANG_TARGET, uninterruptible))) {
		diag_d_state(in, t, out);
	} else if ((t = first(in, HANG_TARGET, foreign_tracer))) {
		const struct hang_task *tracer = find(in, t->tracer_pid);

		out->kind = V_TASK_TRACED;
		out->culprit = t->pid;
		snprintf(out->summary, sizeof(out->summary),
			 "task %d (%s) is traced by pid %d%s%s%s, not by criu", t->pid, t->comm,
			 t->tracer_pid, tracer ? " (" : "", tracer ? tracer->comm : "",
			 tracer ? ")" : "");
	} else if ((t = first(in, HANG_CRIU_CHILD, blocked))) {
		out->kind = V_CRIU_BLOCKED;
		out->culprit = t->pid;
		const char *sc = t->syscall >= 0 ? hang_syscall_name(t->syscall) : NULL;

		snprintf(out->summary, sizeof(out->summary), "criu%s %d (%s) is blocked in %s%s%s",
			 t->role == HANG_CRIU ? "" : "'s helper", t->pid, t->comm,
			 t->wchan[0] ? t->wchan : "a syscall", sc ? ", syscall " : "",
			 sc ? sc : "");
	} else if ((t = first(in, HANG_TARGET, stopped))) {
		out->kind = V_TASK_STOPPED;
		out->culprit = t->pid;
		snprintf(out->summary, sizeof(out->summary), "task %d (%s) is stopped (state T)",
			 t->pid, t->comm);
	} else {
		diag_generic(in, out);
	}
}
