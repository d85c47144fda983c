/*
 * verdict: the table of CRIU failure signatures.  Order matters: the first
 * entry any of whose patterns occurs in a non-harmless log line wins, so
 * specific causes stand before generic ones (an unseizable D-state task
 * before CRIU's own collection timeout, which it causes).  Every pattern is
 * a substring of a message CRIU really prints; see tests/fixtures.
 */
#include "verdict.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "criu_log.h"

#define MAX_EVIDENCE 8

struct signature {
	const char *id;
	const char *title;
	const char *remedy;
	const char *patterns[4];
};

static const struct signature table[] = {
	{"session-leader-outside-pidns",
	 "The tree's session leader is outside its pid namespace, so CRIU cannot restore the "
	 "session.",
	 "Start the workload in a session of its own: 'criuctl run -- CMD' calls setsid(); for a "
	 "container, make its init a session leader (setsid) before it starts the workload.",
	 {"is outside of its pid namespace", NULL}},
	{"criu-too-old-for-kernel",
	 "This criu is too old for the running kernel.",
	 "Install criu 4.2 or newer (criu < 4.0 fails on the vDSO layout of kernels >= 6.13; "
	 "4.1 fails on TCP sockets of new kernels).",
	 {"Unexpected rt vDSO area bounds", "Can't get 1:16 opt", NULL}},
	{"task-traced",
	 "CRIU could not seize a task: it is already traced (a debugger, strace) or ptrace is "
	 "not permitted.",
	 "Detach the debugger or tracer from the task ('criuctl check --tree PID' names the "
	 "tracer), then dump again.",
	 {"Unable to interrupt task", "Unable to seize", NULL}},
	{"ptrace-not-permitted",
	 "criu may not use ptrace here: its own probe (PTRACE_TRACEME in a child) was refused "
	 "before anything was dumped.",
	 "Do not run criu (or criuctl) under a tracer such as 'strace -f' or gdb. Otherwise ptrace "
	 "is forbidden: see kernel.yama.ptrace_scope (3 holds until reboot), a seccomp profile "
	 "that blocks ptrace, and CAP_SYS_PTRACE.",
	 {"ptrace(PTRACE_TRACEME): Operation not permitted", NULL}},
	{"task-uninterruptible",
	 "A task of the tree is in uninterruptible sleep (state D, e.g. a vfork parent) and "
	 "cannot be seized.",
	 "Wait until the task leaves D state (a vfork child must exec or exit), then dump again; "
	 "'criuctl check --tree PID' shows which task it is.",
	 {"Unseizable non-zombie", NULL}},
	{"collect-timeout",
	 "CRIU timed out while collecting and seizing the tree's tasks.",
	 "Look for tasks that keep forking or are stuck; raise criu's own limit with "
	 "--criu-opt=--timeout=SEC.",
	 {"Timeout reached. Try to interrupt", NULL}},
	{"tcp-established-needed",
	 "The tree has an established TCP connection and --tcp-established was not given.",
	 "Dump with --tcp-established (and restore where the peer can still reach the address).",
	 {"consider using --tcp-established", NULL}},
	{"tcp-lock-failed",
	 "CRIU could not lock the network with iptables.",
	 "Use --network-lock nftables (this guest has no iptables binary), or install iptables.",
	 {"Iptables configuration failed", "iptables-restore", NULL}},
	{"external-mount-unmapped",
	 "The checkpoint has external mounts and the restore did not map them back.",
	 "Restore with --external 'mnt[KEY]:PATH' for each mount dumped as external (the "
	 "manifest lists them), and --root for a tree with its own root.",
	 {"No mapping for", NULL}},
	{"pid-in-use",
	 "A pid the checkpoint needs is already in use.",
	 "Stop the process that holds the pid (a still running original, or a zombie whose "
	 "parent has not reaped it), or restore in a new pid namespace.",
	 {"Can't fork for", NULL}},
	{"external-fd",
	 "A file descriptor of the tree points into a mount outside its mount namespace (often "
	 "stdio inherited from outside, or a leaked fd).",
	 "Reopen stdin/stdout/stderr inside the tree's mount namespace and close inherited fds "
	 "('criuctl run' does both), or declare the file with --external.",
	 {"Can't lookup mount", NULL}},
	{"external-mount",
	 "A mount of the tree comes from outside its mount namespace (a bind mount such as "
	 "/etc/hosts) and was not declared external.",
	 "Name bind mounts from outside the tree with --external 'mnt[PATH]:KEY' (or "
	 "--external 'mnt[]' to let criu find them) and map them back on restore, or skip them "
	 "with --skip-mnt PATH.",
	 {"doesn't have a proper root mount", "unreachable sharing", NULL}},
	{"ext-unix-sk-needed",
	 "A unix socket of the tree is connected to a peer outside the tree.",
	 "Dump with --ext-unix-sk, or stop the peer first.",
	 {"--ext-unix-sk", NULL}},
	{"file-locks-needed",
	 "The tree holds file locks and --file-locks was not given.",
	 "Dump with --file-locks.",
	 {"--file-locks", NULL}},
	{"shell-job-needed",
	 "The tree uses a terminal or session from outside it.",
	 "Dump and restore with --shell-job, or start the workload with 'criuctl run'.",
	 {"--shell-job", "Found dangling tty", NULL}},
	{"rlimit-not-permitted",
	 "CRIU could not read the resource limits of a task running as another user.",
	 "Run criuctl with CAP_SYS_RESOURCE (a guest agent normally has it), or run the "
	 "workload as root.",
	 {"Can't get rlimit", NULL}},
	{"no-space",
	 "The disk holding the images is full.",
	 "Free space in the store (criuctl prune) or point --store at a larger disk.",
	 {"No space left on device", NULL}},
	{"mem-tracking-unsupported",
	 "The kernel has no dirty-memory tracking, so pre-dump (iterative dumps) cannot work.",
	 "Dump without --pre-dump, or use a kernel with CONFIG_MEM_SOFT_DIRTY.",
	 {"Dirty tracking is OFF", "BUG at criu/mem.c:46", NULL}},
	{"criu-bug",
	 "CRIU hit an internal assertion (BUG) and aborted.",
	 "This is a CRIU defect or an unsupported setup: keep the log and report it; try a newer "
	 "criu.",
	 {"BUG at ", NULL}},
};

static int line_matches(const struct log_line *l, const struct signature *s)
{
	for (size_t i = 0; i < 4 && s->patterns[i]; i++)
		if (memmem(l->msg, l->msg_len, s->patterns[i], strlen(s->patterns[i])))
			return 1;
	return 0;
}

int verdict_line_matters(const struct log_line *l)
{
	if (criu_log_harmless(l))
		return 0;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (line_matches(l, &table[i]))
			return 1;
	return 0;
}

/* The first signature matched by a non-harmless line; its line in *hit. */
static const struct signature *match_log(const char *log, size_t len, struct log_line *hit)
{
	const struct signature *best = NULL;
	size_t best_rank = sizeof(table) / sizeof(table[0]);
	const char *p = log;
	struct log_line l;

	while (criu_log_next(&p, log + len, &l)) {
		if (criu_log_harmless(&l))
			continue;
		for (size_t i = 0; i < best_rank; i++) {
			if (line_matches(&l, &table[i])) {
				best = &table[i];
				best_rank = i;
				*hit = l;
				break;
			}
		}
	}
	return best;
}

static const struct signature killed = {
	"criu-killed",
	"criu was killed by a signal before it finished.",
	"Find out who killed it (the OOM killer: see dmesg; a fault injection: CRIU_FAULT in "
	"the environment). The tree was resumed by the kernel when criu's ptrace ended.",
	{NULL}};
static const struct signature crashed = {
	"criu-crashed",
	"criu crashed (a fatal signal of its own: segfault, abort, bus error).",
	"A CRIU defect or damaged images: keep the log and report it; try a newer criu.",
	{NULL}};

/* Signals a process gets from its own faults, not from someone else. */
static int crash_signal(int sig)
{
	return sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE || sig == SIGABRT;
}

static const struct signature generic = {
	"criu-failed",
	"criu failed.",
	"Read the decisive lines below and the full log; 'criuctl explain LOG' classifies it.",
	{NULL}};

/* Append the decisive lines that are not already evidence. */
static int add_decisive(const char *log, size_t len, struct strv *evidence)
{
	struct strv lines = {0};
	int rc = criu_log_decisive(log, len, MAX_EVIDENCE, &lines);

	for (size_t i = 0; rc >= 0 && i < lines.n; i++)
		if (!strv_contains(evidence, lines.v[i]) && strv_push(evidence, lines.v[i]) < 0)
			rc = -1;
	strv_free(&lines);
	return rc < 0 ? -1 : 0;
}

int verdict_classify(const char *log, size_t log_len, const struct criu_end *end, struct verdict *v)
{
	const struct signature *s;
	struct log_line hit;

	memset(v, 0, sizeof(*v));
	s = match_log(log, log_len, &hit);
	if (!s && !end->exited)
		s = crash_signal(end->term_signal) ? &crashed : &killed;
	if (!s)
		s = &generic;
	v->id = s->id;
	v->title = s->title;
	v->remedy = s->remedy;
	if (s != &generic && s != &killed && s != &crashed &&
	    criu_log_push(&v->evidence, hit.msg, hit.msg_len) < 0)
		return -1;
	if ((s == &killed || s == &crashed) &&
	    strv_pushf(&v->evidence, "criu was killed by signal %d (%s)", end->term_signal,
		       strsignal(end->term_signal)) < 0)
		return -1;
	return add_decisive(log, log_len, &v->evidence);
}

void verdict_free(struct verdict *v)
{
	strv_free(&v->evidence);
}

int verdict_pid(const struct verdict *v)
{
	static const char prefix[] = "Can't fork for ";

	if (!v->id || strcmp(v->id, "pid-in-use") != 0)
		return 0;
	for (size_t i = 0; i < v->evidence.n; i++) {
		const char *p = strstr(v->evidence.v[i], prefix);
		char *end;
		long pid;

		if (!p)
			continue;
		p += sizeof(prefix) - 1;
		if (*p < '1' || *p > '9')
			continue;
		errno = 0;
		pid = strtol(p, &end, 10);
		if (errno == 0 && *end == ':' && pid <= INT_MAX)
			return (int)pid;
	}
	return 0;
}

const char *verdict_id_at(size_t i)
{
	static const struct signature *const extra[] = {&killed, &crashed, &generic};

	if (i < sizeof(table) / sizeof(table[0]))
		return table[i].id;
	i -= sizeof(table) / sizeof(table[0]);
	return i < 3 ? extra[i]->id : NULL;
}
