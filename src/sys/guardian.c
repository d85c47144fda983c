/*
 * guardian: see guardian.h.  The guard's loop (how it is started, and its
 * argv, are guardian_start.c's): it polls criuctl's pipe and a pidfd
 * of criu every 100 ms, follows the size of criu's log (a line more is
 * progress), feeds core/guard.c and carries out its actions.  It is not
 * criu's parent: criu's end is seen through the pidfd, criu's signals go
 * through the pidfd too (a pid reused meanwhile is never signalled).
 */
#include "guardian.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "criu_log.h"
#include "guard.h"
#include "fsutil.h"
#include "jsonutil.h"
#include "proc.h"
#include "strv.h"
#include "tidy.h"

#define TICK_MS	 100
#define LOG_TAIL (64 * 1024)

struct guarding {
	const struct guard_spec *spec;
	struct guard g;
	int dirfd, ctlfd;
	int criu_pid, pidfd, own_group;
	double started, last_growth, grace_at;
	long long log_size;
	char line[64];
	size_t line_len;
	double elapsed, idle; /* when the stop began, or criu ended */
	struct tidy_result tidy;
	int killed;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* criu, and with it the helpers of its process group when it has one. */
static void signal_criu(struct guarding *w, int sig, int group)
{
	if (w->pidfd >= 0)
		syscall(SYS_pidfd_send_signal, w->pidfd, sig, NULL, 0);
	if (group && w->own_group)
		kill(-w->criu_pid, sig);
}

static void on_criu_started(struct guarding *w, int pid)
{
	if (w->criu_pid > 0 || pid <= 0)
		return;
	w->criu_pid = pid;
	w->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	w->own_group = getpgid(pid) == pid;
	w->started = w->last_growth = now();
}

/* The next event from criuctl's pipe into *ev: 1, or 0 when there is
 * none yet.  End of file is criuctl's death. */
static int read_ctl(struct guarding *w, enum guard_event *ev)
{
	char c;
	ssize_t n;

	while ((n = read(w->ctlfd, &c, 1)) == 1) {
		if (c != '\n') {
			if (w->line_len + 1 < sizeof(w->line))
				w->line[w->line_len++] = c;
			continue;
		}
		w->line[w->line_len] = '\0';
		w->line_len = 0;
		if (strncmp(w->line, "criu ", 5) == 0) {
			on_criu_started(w, atoi(w->line + 5));
			*ev = GUARD_CRIU_STARTED;
			return 1;
		}
		if (strcmp(w->line, "done") == 0) {
			*ev = GUARD_CTL_DONE;
			return 1;
		}
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	*ev = GUARD_CTL_GONE;
	return 1;
}

/* A new log line since the last look is progress. */
static void follow_log(struct guarding *w)
{
	struct stat st;

	if (fstatat(w->dirfd, w->spec->log_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    st.st_size != w->log_size) {
		w->log_size = st.st_size;
		w->last_growth = now();
	}
}

static int is_restore(const struct guarding *w)
{
	return strcmp(w->spec->action, "restore") == 0;
}

/* What one tidy did, added to what the guard did before (tidy.h fills a
 * result of its own each time). */
static void record(struct guarding *w, struct tidy_result *t)
{
	strv_extend(&w->tidy.repaired, &t->repaired);
	strv_extend(&w->tidy.unlocked, &t->unlocked);
	strv_extend(&w->tidy.killed, &t->killed);
	strv_extend(&w->tidy.failed, &t->failed);
	tidy_result_free(t);
}

/* Undo what criu did to the tree (tidy.h): a dump's sockets and lock; a
 * restore's half-made tasks, criu's descendants, while criu holds them. */
static void tidy(struct guarding *w)
{
	struct tidy_result t;
	char run_id[64];
	int *kids = NULL;
	size_t n = 0;

	if (!is_restore(w)) {
		tidy_run_id_at(w->dirfd, w->spec->log_name, run_id, sizeof(run_id));
		tidy_tree(w->spec->tree, w->spec->tree_n, run_id, w->spec->iptables, &t);
		record(w, &t);
		return;
	}
	if (proc_descendants(w->criu_pid, &kids, &n) == 0 && n) {
		struct manifest_proc *spawned = calloc(n, sizeof(*spawned));
		size_t k = 0;
		struct proc_stat st;

		for (size_t i = 0; spawned && i < n; i++)
			if (proc_stat(kids[i], &st) == 0)
				spawned[k++] = (struct manifest_proc){.pid = st.pid,
								      .starttime = st.starttime};
		tidy_restored(spawned, &k, &t);
		record(w, &t);
		free(spawned);
	}
	free(kids);
}

/* The run's clocks at the stop (or at criu's end), for the note. */
static void mark(struct guarding *w)
{
	if (w->elapsed > 0)
		return;
	w->elapsed = now() - w->started;
	w->idle = now() - w->last_growth;
}

/* SIGSTOP: until criu is really stopped, at most 200 ms. */
static void freeze(struct guarding *w)
{
	const struct timespec ms = {0, 1000000};
	struct proc_stat st;

	mark(w);
	signal_criu(w, SIGSTOP, 1);
	for (int i = 0; i < 200; i++) {
		if (proc_stat(w->criu_pid, &st) < 0 || st.state == 'T' || st.state == 't' ||
		    st.state == 'Z')
			break;
		nanosleep(&ms, NULL);
	}
	tidy(w);
}

/* A task of the tree left stopped is continued, as criuctl does after a
 * failed run; their pids go to continued. */
static void continue_tree(struct guarding *w, json_t *continued)
{
	for (size_t i = 0; i < w->spec->tree_n; i++) {
		const struct manifest_proc *p = &w->spec->tree[i];
		struct proc_stat st;

		if (proc_same_task(p->pid, p->starttime, &st) && st.state == 'T' &&
		    kill(p->pid, SIGCONT) == 0)
			json_array_append_new(continued, json_integer(p->pid));
	}
}

static void write_note(struct guarding *w, int log_succeeded, json_t *continued)
{
	char stamp[32];
	cleanup_json json_t *note = NULL;
	cleanup_free char *text = NULL;

	manifest_format_time(stamp, sizeof(stamp), (long long)time(NULL));
	mark(w);
	note = json_pack("{s:s, s:i, s:s, s:s, s:i, s:f, s:f, s:f, s:f, s:b, s:b, s:{s:o, s:o, "
			 "s:o, s:o}, s:o}",
			 "by", "criuctl-guard", "pid", (int)getpid(), "at", stamp, "stopped_by",
			 esc_reason_id(w->g.esc.reason), "criu_pid", w->criu_pid, "timeout_s",
			 w->spec->timeout, "stall_timeout_s", w->spec->stall_timeout, "elapsed_s",
			 w->elapsed, "idle_s", w->idle, "criu_killed", w->killed, "log_succeeded",
			 log_succeeded, "tidy", "repaired", json_strv(&w->tidy.repaired),
			 "unlocked", json_strv(&w->tidy.unlocked), "killed",
			 json_strv(&w->tidy.killed), "failed", json_strv(&w->tidy.failed),
			 "continued", continued);
	text = note ? json_dumps(note, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	if (text)
		fs_write_at(w->dirfd, GUARD_NOTE, text, strlen(text), 0600);
}

/* criu has ended alone (by itself, or stopped by the guard). */
static void release(struct guarding *w)
{
	char *tail = malloc(LOG_TAIL);
	ssize_t n = tail ? fs_read_tail_at(w->dirfd, w->spec->log_name, tail, LOG_TAIL) : -1;
	int ok = n > 0 && criu_log_succeeded(tail, (size_t)n);
	json_t *continued = json_array();

	free(tail);
	if (guard_must_tidy(&w->g, ok) && !is_restore(w))
		tidy(w);
	continue_tree(w, continued);
	write_note(w, ok, continued);
}

/* Carry out what core/guard.c decided; 1 when there is nothing more to do. */
static int act(struct guarding *w, unsigned actions)
{
	if (actions & ESC_ACT_FREEZE)
		freeze(w);
	if (actions & ESC_ACT_TERM) {
		signal_criu(w, SIGTERM, 0);
		signal_criu(w, SIGCONT, 1); /* a stopped criu cannot act on SIGTERM */
	}
	if (actions & ESC_ACT_ARM_GRACE)
		w->grace_at = now() + (w->spec->grace > 0 ? w->spec->grace : ESC_DEFAULT_GRACE);
	if (actions & ESC_ACT_KILL) {
		w->killed = 1;
		signal_criu(w, SIGKILL, 1);
	}
	/* criu has exited: its pid still names the group while members live. */
	if (actions & ESC_ACT_REAP && w->own_group)
		kill(-w->criu_pid, SIGKILL);
	if (actions & GUARD_ACT_RELEASE)
		release(w);
	return (actions & GUARD_ACT_EXIT) != 0;
}

/* Whether criu has ended (the pidfd is readable then). */
static int criu_ended(struct guarding *w)
{
	struct pollfd p = {.fd = w->pidfd, .events = POLLIN};

	/* No pidfd (criu was gone before the guard heard of it): ended. */
	if (w->pidfd < 0)
		return w->criu_pid > 0 && !w->g.criu_exited;
	return poll(&p, 1, 0) == 1;
}

static int step(struct guarding *w, enum guard_event ev)
{
	return act(w, guard_step(&w->g, ev, now() - w->started, now() - w->last_growth));
}

/* One round: criuctl's words, criu's end, the clock. */
static int round_once(struct guarding *w)
{
	struct pollfd p[2] = {{.fd = w->ctlfd, .events = POLLIN},
			      {.fd = w->pidfd, .events = POLLIN}};
	enum guard_event ev;

	poll(p, w->pidfd >= 0 ? 2 : 1, TICK_MS);
	while (w->ctlfd >= 0 && read_ctl(w, &ev)) {
		if (ev == GUARD_CTL_GONE) {
			close(w->ctlfd);
			w->ctlfd = -1;
		}
		if (step(w, ev))
			return 1;
	}
	if (w->criu_pid > 0)
		follow_log(w);
	if (criu_ended(w)) {
		int done = step(w, GUARD_CRIU_EXIT);

		close(w->pidfd);
		w->pidfd = -1;
		if (done)
			return 1;
	}
	if (w->grace_at > 0 && now() >= w->grace_at) {
		w->grace_at = 0;
		if (step(w, GUARD_GRACE_OVER))
			return 1;
	}
	return step(w, GUARD_TICK);
}

int guard_run(const struct guard_spec *spec, int dirfd, int ctlfd)
{
	struct guarding w = {.spec = spec, .dirfd = dirfd, .ctlfd = ctlfd, .pidfd = -1};

	w.g.timeout = spec->timeout;
	w.g.stall_timeout = spec->stall_timeout;
	fcntl(ctlfd, F_SETFL, fcntl(ctlfd, F_GETFL) | O_NONBLOCK);
	while (!round_once(&w))
		;
	tidy_result_free(&w.tidy);
	if (w.pidfd >= 0)
		close(w.pidfd);
	if (w.ctlfd >= 0)
		close(w.ctlfd);
	return w.g.esc.reason != ESC_NONE;
}
