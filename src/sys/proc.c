/*
 * proc: /proc reads.  The tree is found by one scan of every /proc/PID/stat
 * (ppid links), which sees every process and needs no
 * /proc/PID/task/TID/children (absent without CONFIG_PROC_CHILDREN).
 */
#include "proc.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "fsutil.h"
#include "text.h"

const char *proc_root(void)
{
	const char *r = getenv("CRIUCTL_PROC_ROOT");

	return r && *r ? r : "/proc";
}

static int read_proc_file(int pid, const char *file, char **buf, size_t *len)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%d/%s", proc_root(), pid, file);
	return fs_read_at(AT_FDCWD, path, 1 << 20, buf, len);
}

int proc_stat(int pid, struct proc_stat *out)
{
	char *buf;
	size_t len;
	int rc;

	if (read_proc_file(pid, "stat", &buf, &len) < 0)
		return -1;
	rc = proc_parse_stat(buf, len, out);
	free(buf);
	if (rc < 0)
		errno = EINVAL;
	return rc;
}

void proc_cmdline(int pid, char *dst, size_t size)
{
	char *buf;
	size_t len;

	dst[0] = '\0';
	if (read_proc_file(pid, "cmdline", &buf, &len) < 0)
		return;
	proc_parse_cmdline(buf, len, dst, size);
	free(buf);
}

size_t proc_argv(int pid, char *dst, size_t size)
{
	char *buf;
	size_t len;

	if (read_proc_file(pid, "cmdline", &buf, &len) < 0)
		return 0;
	len = len < size ? len : size;
	memcpy(dst, buf, len);
	free(buf);
	return len;
}

int proc_holder(int pid, struct proc_stat *st, char *dst, size_t size)
{
	char cmd[128], shown[4 * sizeof(cmd)];

	if (proc_stat(pid, st) < 0)
		return -1;
	/* One line: a command line's newlines and controls shown escaped. */
	proc_cmdline(pid, cmd, sizeof(cmd));
	text_escape(cmd[0] ? cmd : st->comm, shown, sizeof(shown));
	snprintf(dst, size, "%s'%s' (%s, state %c)", st->state == 'Z' ? "a zombie " : "", st->comm,
		 shown, st->state);
	return 0;
}

void proc_ns_link(int pid, const char *ns, char *dst, size_t size)
{
	char path[64];
	ssize_t n;

	if (pid > 0)
		snprintf(path, sizeof(path), "%s/%d/ns/%s", proc_root(), pid, ns);
	else
		snprintf(path, sizeof(path), "%s/self/ns/%s", proc_root(), ns);
	n = readlink(path, dst, size - 1);
	dst[n > 0 ? n : 0] = '\0';
}

int proc_ns_differs(int pid, const char *ns)
{
	char mine[64], theirs[64];

	proc_ns_link(0, ns, mine, sizeof(mine));
	proc_ns_link(pid, ns, theirs, sizeof(theirs));
	return mine[0] && theirs[0] && strcmp(mine, theirs) != 0;
}

static int cmp_pid(const void *a, const void *b)
{
	const struct proc_stat *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* Every process's stat, sorted by pid, in a new array. */
static int scan_all(struct proc_stat **out, size_t *n)
{
	DIR *d = opendir(proc_root());
	struct dirent *de;
	struct proc_stat *all = NULL;
	size_t cap = 0;

	*n = 0;
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		if (*n == cap) {
			struct proc_stat *na =
				realloc(all, (cap = cap ? cap * 2 : 256) * sizeof(*all));

			if (!na)
				break;
			all = na;
		}
		if (proc_stat(atoi(de->d_name), &all[*n]) == 0)
			(*n)++;
	}
	closedir(d);
	if (*n)
		qsort(all, *n, sizeof(*all), cmp_pid);
	*out = all;
	return 0;
}

/* Mark root and its descendants (all is sorted by pid); a fixed point. */
static size_t mark_tree(const struct proc_stat *all, size_t n, int root, unsigned char *in)
{
	size_t count = 0, before;

	for (size_t i = 0; i < n; i++)
		if (all[i].pid == root)
			in[i] = 1, count = 1;
	do {
		before = count;
		for (size_t i = 0; i < n; i++) {
			if (in[i])
				continue;
			struct proc_stat key = {.pid = all[i].ppid};
			const struct proc_stat *parent =
				bsearch(&key, all, n, sizeof(*all), cmp_pid);

			if (parent && in[parent - all]) {
				in[i] = 1;
				count++;
			}
		}
	} while (count != before);
	return count;
}

/* 1 when pid is marked in the tree (all is sorted by pid). */
static int in_tree(const struct proc_stat *all, size_t n, const unsigned char *in, int pid)
{
	struct proc_stat key = {.pid = pid};
	const struct proc_stat *p = bsearch(&key, all, n, sizeof(*all), cmp_pid);

	return p && in[p - all];
}

/* Refuse a root that no checkpoint can have (exit 3, not-dumpable). */
static int refuse_root(const struct proc_stat *root, const char *why, struct cc_err *e)
{
	err_set(e, CC_EXIT_REFUSED, "not-dumpable",
		"process %d (%s) cannot be checkpointed: it is %s", root->pid, root->comm, why);
	err_remedy(e, "Give the root of the workload's own tree: the pid 'criuctl run' printed, or "
		      "a container's init.");
	return -1;
}

int proc_tree(int pid, struct manifest_proc **out, size_t *n_out, struct cc_err *e)
{
	cleanup_free struct proc_stat *all = NULL;
	cleanup_free unsigned char *in = NULL;
	cleanup_free struct manifest_proc *procs = NULL;
	size_t n, count, k = 0;
	struct proc_stat root;
	const char *unfit;

	if (proc_stat(pid, &root) < 0)
		return err_sys(e, CC_EXIT_USAGE, "no-such-process", errno, "process %d", pid);
	if (scan_all(&all, &n) < 0)
		return err_sys(e, CC_EXIT_ENV, "proc-unreadable", errno, "read %s", proc_root());
	in = calloc(n ? n : 1, 1);
	count = in ? mark_tree(all, n, pid, in) : 0;
	procs = calloc(count ? count : 1, sizeof(*procs));
	if (!in || !procs || count == 0)
		return err_set(e, CC_EXIT_USAGE, "no-such-process", "process %d vanished", pid);
	unfit = proc_root_unfit(&root, (int)getpid(), in_tree(all, n, in, (int)getpid()));
	/* cppcheck does not know cleanup attributes: procs is freed (cleanup.h). */
	if (unfit)
		return refuse_root(&root, unfit, e); /* cppcheck-suppress memleak */
	/* The root first, then the rest in pid order. */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < n; i++) {
			if (!in[i] || (pass == 0) != (all[i].pid == pid))
				continue;
			procs[k] = (struct manifest_proc){.pid = all[i].pid,
							  .ppid = all[i].ppid,
							  .pgid = all[i].pgid,
							  .sid = all[i].sid};
			snprintf(procs[k].comm, sizeof(procs[k].comm), "%s", all[i].comm);
			procs[k].cmdline_len =
				proc_argv(all[i].pid, procs[k].cmdline, sizeof(procs[k].cmdline));
			k++;
		}
	*out = take_ptr(procs);
	*n_out = k;
	return 0;
}

int proc_descendants(int pid, int **out, size_t *n_out)
{
	cleanup_free struct proc_stat *all = NULL;
	cleanup_free unsigned char *in = NULL;
	cleanup_free int *pids = NULL;
	size_t n, k = 0;

	*out = NULL;
	*n_out = 0;
	if (scan_all(&all, &n) < 0)
		return -1;
	in = calloc(n ? n : 1, 1);
	pids = calloc(n ? n : 1, sizeof(*pids));
	if (!in || !pids)
		return -1;
	mark_tree(all, n, pid, in);
	for (size_t i = 0; i < n; i++)
		if (in[i] && all[i].pid != pid)
			pids[k++] = all[i].pid;
	*out = take_ptr(pids);
	*n_out = k;
	return 0;
}

int proc_identities(const int *pids, size_t n, struct manifest_proc **out, size_t *n_out)
{
	*n_out = 0;
	*out = calloc(n ? n : 1, sizeof(**out));
	if (!*out)
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct proc_stat st;

		if (proc_stat(pids[i], &st) == 0)
			(*out)[(*n_out)++] =
				(struct manifest_proc){.pid = st.pid, .starttime = st.starttime};
	}
	return 0;
}

/* Small /proc/PID files as text; "" when unreadable. */
static void read_small(int pid, const char *file, char *dst, size_t size)
{
	char *buf;
	size_t len;

	dst[0] = '\0';
	if (read_proc_file(pid, file, &buf, &len) < 0)
		return;
	snprintf(dst, size, "%.*s", (int)len, buf);
	free(buf);
}

int proc_hang_task(int pid, enum hang_role role, struct hang_task *t)
{
	struct proc_stat st;
	char text[4096];

	memset(t, 0, sizeof(*t));
	t->role = role;
	t->pid = pid;
	t->syscall = -2;
	if (proc_stat(pid, &st) < 0) {
		t->state = '?';
		return -1;
	}
	t->ppid = st.ppid;
	t->state = st.state;
	snprintf(t->comm, sizeof(t->comm), "%s", st.comm);
	read_small(pid, "wchan", t->wchan, sizeof(t->wchan));
	if (strcmp(t->wchan, "0") == 0)
		t->wchan[0] = '\0';
	read_small(pid, "syscall", text, sizeof(text));
	t->syscall = proc_parse_syscall(text, strlen(text));
	read_small(pid, "status", text, sizeof(text));
	t->tracer_pid = proc_parse_tracer(text, strlen(text));
	read_small(pid, "stack", text, sizeof(text));
	/* One line per frame: keep them on one line for the report. */
	for (char *p = text; *p; p++)
		if (*p == '\n')
			*p = p[1] ? '|' : '\0';
	snprintf(t->stack, sizeof(t->stack), "%s", text);
	return 0;
}

int proc_same_task(int pid, unsigned long long starttime, struct proc_stat *st)
{
	return proc_stat(pid, st) == 0 && (!starttime || st->starttime == starttime);
}

unsigned long long proc_tree_rss(const struct manifest_proc *procs, size_t n)
{
	unsigned long long total = 0;
	long page = sysconf(_SC_PAGESIZE);

	for (size_t i = 0; i < n; i++) {
		struct proc_stat st;

		if (proc_stat(procs[i].pid, &st) == 0 && st.rss_pages > 0)
			total += (unsigned long long)st.rss_pages * (unsigned long long)page;
	}
	return total;
}

unsigned long long proc_boot_ticks(void)
{
	struct timespec ts;
	long hz = sysconf(_SC_CLK_TCK);

	if (clock_gettime(CLOCK_BOOTTIME, &ts) < 0 || hz <= 0)
		return 0;
	/* Rounded down, like the kernel's starttime: a task created in the
	 * same tick counts as created after. */
	return (unsigned long long)ts.tv_sec * (unsigned long long)hz +
	       (unsigned long long)ts.tv_nsec / (1000000000ull / (unsigned long long)hz);
}
