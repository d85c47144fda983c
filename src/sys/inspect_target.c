/*
 * inspect_target: a target tree's facts for the preflight (inspect.h), read
 * from /proc and sock_diag: states, tracers, sessions, sockets and their
 * peers, file locks, namespaces and mounts, memory, and what an earlier
 * criu left on it.  The rules that judge them are in doctor.c.
 */
#include "inspect.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "cleanup.h"
#include "fsutil.h"
#include "netns.h"
#include "proc.h"
#include "tidy.h"

struct sockets {
	unsigned long *ino;
	size_t *task; /* index into the tasks */
	size_t n, cap;
};

static void add_socket(struct sockets *s, unsigned long ino, size_t task)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 32;
		unsigned long *ni = realloc(s->ino, cap * sizeof(*ni));
		size_t *nt = ni ? realloc(s->task, cap * sizeof(*nt)) : NULL;

		if (ni)
			s->ino = ni;
		if (!nt)
			return;
		s->task = nt;
		s->cap = cap;
	}
	s->ino[s->n] = ino;
	s->task[s->n++] = task;
}

/* The task owning socket ino, or -1 when it is not the tree's. */
static long socket_owner(const struct sockets *s, unsigned long ino)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->ino[i] == ino)
			return (long)s->task[i];
	return -1;
}

/*
 * Locks on one open file: its fdinfo lists them, one "lock:\tN: FLOCK
 * ADVISORY WRITE PID DEV:INO START END" line each.  A lock on a file that
 * several tasks share (a child inherits the fd) shows in each of them:
 * count a lock once, by what follows its ordinal.  Returns new locks seen.
 */
static size_t fd_locks(int pid, const char *fd, struct strv *seen)
{
	char path[96], *buf;
	size_t len, n = 0;

	snprintf(path, sizeof(path), "%s/%d/fdinfo/%s", proc_root(), pid, fd);
	if (fs_read_at(AT_FDCWD, path, 1 << 16, &buf, &len) < 0)
		return 0;
	for (char *p = buf; (p = strstr(p, "\nlock:")); p++) {
		char *id = strchr(p + 6, ':'), *end = id ? strchr(id, '\n') : NULL;

		if (!id)
			break;
		if (end)
			*end = '\0';
		if (!strv_contains(seen, id + 1) && strv_push(seen, id + 1) == 0)
			n++;
		if (end)
			*end = '\n';
	}
	free(buf);
	return n;
}

/*
 * One task's open files: its sockets (by inode) and the locks it holds.
 * Per fd, so the cost follows the tree, not the machine (/proc/locks and
 * /proc/net/tcp walk every lock and socket of the system).
 */
static void collect_fds(int pid, size_t task, struct target_task *t, struct sockets *s,
			struct strv *locks)
{
	char dir[64], link[128], target[64];
	struct dirent *de;
	cleanup_closedir DIR *d = NULL;

	snprintf(dir, sizeof(dir), "%s/%d/fd", proc_root(), pid);
	d = opendir(dir);
	while (d && (de = readdir(d))) {
		unsigned long ino;
		ssize_t n;

		if (de->d_name[0] == '.')
			continue;
		snprintf(link, sizeof(link), "%s/%s", dir, de->d_name);
		n = readlink(link, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		if (sscanf(target, "socket:[%lu]", &ino) == 1)
			add_socket(s, ino, task);
		else
			t->locks += fd_locks(pid, de->d_name, locks);
	}
}

struct tcp_ctx {
	const struct sockets *s;
	struct target_task *tasks;
};

static void on_established(unsigned long ino, void *arg)
{
	struct tcp_ctx *c = arg;
	long owner = socket_owner(c->s, ino);

	if (owner >= 0)
		c->tasks[owner].tcp_established++;
}

static void count_tcp(int root, const struct sockets *s, struct target_task *tasks)
{
	static const char *const files[] = {"net/tcp", "net/tcp6"};
	struct tcp_ctx ctx = {s, tasks};

	for (size_t i = 0; i < 2; i++) {
		char path[64], *buf;
		size_t len;

		snprintf(path, sizeof(path), "%s/%d/%s", proc_root(), root, files[i]);
		if (fs_read_at(AT_FDCWD, path, 64u << 20, &buf, &len) < 0)
			continue;
		proc_parse_tcp_established(buf, len, on_established, &ctx);
		free(buf);
	}
}

/* For each unix socket of the tree, its peer (sock_diag, in the tree's
 * network namespace); counts peers outside the tree. */
static void count_unix_peers(int pid, const struct sockets *s, struct target_task *tasks)
{
	struct {
		struct nlmsghdr nlh;
		struct unix_diag_req r;
	} req = {
		.nlh = {.nlmsg_len = sizeof(req),
			.nlmsg_type = SOCK_DIAG_BY_FAMILY,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP},
		.r = {.sdiag_family = AF_UNIX, .udiag_states = ~0U, .udiag_show = UDIAG_SHOW_PEER}};
	static char buf[32768];
	cleanup_close int fd = netns_socket(pid, AF_NETLINK, SOCK_DGRAM, NETLINK_SOCK_DIAG);
	ssize_t n;
	int done = 0;

	if (fd < 0 || send(fd, &req, sizeof(req), 0) < 0)
		return;
	while (!done && (n = recv(fd, buf, sizeof(buf), 0)) > 0) {
		int left = (int)n;

		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, left);
		     h = NLMSG_NEXT(h, left)) {
			struct unix_diag_msg *m = NLMSG_DATA(h);
			long owner;
			int alen;

			if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR) {
				done = 1;
				break;
			}
			owner = socket_owner(s, m->udiag_ino);
			if (owner < 0)
				continue;
			alen = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*m)));
			for (struct rtattr *a = (struct rtattr *)(m + 1); RTA_OK(a, alen);
			     a = RTA_NEXT(a, alen)) {
				unsigned int peer = *(unsigned int *)RTA_DATA(a);

				if (a->rta_type == UNIX_DIAG_PEER && peer &&
				    socket_owner(s, peer) < 0)
					tasks[owner].unix_ext_peer++;
			}
		}
	}
}

static int read_mountinfo(const char *who, struct mnt_table *t)
{
	char path[64], *buf;
	size_t len;
	int rc;

	snprintf(path, sizeof(path), "%s/%s/mountinfo", proc_root(), who);
	if (fs_read_at(AT_FDCWD, path, 16u << 20, &buf, &len) < 0)
		return -1;
	rc = mountinfo_parse(buf, len, t);
	free(buf);
	return rc;
}

/* The tree's own mount namespace: its root and the bind mounts that bring
 * files in from outside (such as /etc/hosts in a container), each with a
 * key for criu and the path of the same files in criuctl's namespace. */
static void external_mounts(int pid, struct target_facts *f)
{
	struct mnt_table theirs, ours;
	char who[16];

	snprintf(who, sizeof(who), "%d", pid);
	if (read_mountinfo(who, &theirs) < 0)
		return;
	if (read_mountinfo("self", &ours) == 0) {
		const struct mnt *root = mountinfo_at(&theirs, "/");

		if (root &&
		    mountinfo_resolve(&ours, root, f->root_source, sizeof(f->root_source)) < 0)
			f->root_source[0] = '\0';
		f->ext = calloc(theirs.n ? theirs.n : 1, sizeof(*f->ext));
		for (size_t i = 0; f->ext && i < theirs.n; i++) {
			const struct mnt *m = &theirs.v[i];
			struct ext_mount *x = &f->ext[f->n_ext];

			if (!mountinfo_is_bind(m) || strcmp(m->point, "/") == 0)
				continue;
			snprintf(x->point, sizeof(x->point), "%s", m->point);
			mountinfo_key(m->point, x->key, sizeof(x->key));
			if (mountinfo_resolve(&ours, m, x->source, sizeof(x->source)) < 0)
				x->source[0] = '\0';
			f->n_ext++;
		}
		mountinfo_free(&ours);
	}
	mountinfo_free(&theirs);
}

static int in_tree(const struct target_facts *f, int pid)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->tasks[i].pid == pid)
			return 1;
	return 0;
}

/* Processes in the tree's pid namespace that are not in the tree. */
static void pidns_others(int root, struct target_facts *f)
{
	char want[64], have[64];
	struct dirent *de;
	cleanup_closedir DIR *d = opendir(proc_root());

	proc_ns_link(root, "pid", want, sizeof(want));
	while (d && (de = readdir(d))) {
		int pid = atoi(de->d_name);
		struct proc_stat st;

		if (pid <= 0 || in_tree(f, pid))
			continue;
		proc_ns_link(pid, "pid", have, sizeof(have));
		if (strcmp(want, have) == 0 && proc_stat(pid, &st) == 0 && st.state != 'Z')
			strv_pushf(&f->pidns_others, "%d %s", pid, st.comm);
	}
}

static void read_task(const struct manifest_proc *p, struct target_task *t)
{
	struct proc_stat st;
	char path[64], *buf;
	size_t len;

	memset(t, 0, sizeof(*t));
	t->pid = p->pid;
	t->ppid = p->ppid;
	t->sid = p->sid;
	t->sid_inner = -1;
	snprintf(t->comm, sizeof(t->comm), "%s", p->comm);
	if (proc_stat(p->pid, &st) == 0) {
		t->state = st.state;
		t->tty_nr = st.tty_nr;
		t->sid = st.sid;
	}
	/* Who holds the session: kata-agent, on Kata 2.5-4.0 (doctor.c). */
	if (t->sid > 0 && proc_stat(t->sid, &st) == 0)
		snprintf(t->sid_comm, sizeof(t->sid_comm), "%s", st.comm);
	snprintf(path, sizeof(path), "%s/%d/status", proc_root(), p->pid);
	if (fs_read_at(AT_FDCWD, path, 1 << 16, &buf, &len) == 0) {
		t->tracer = proc_parse_tracer(buf, len);
		t->sid_inner = proc_parse_nsid(buf, len, "NSsid");
		free(buf);
	}
	snprintf(path, sizeof(path), "%s/%d/wchan", proc_root(), p->pid);
	if (fs_read_at(AT_FDCWD, path, 256, &buf, &len) == 0) {
		snprintf(t->wchan, sizeof(t->wchan), "%s", strcmp(buf, "0") ? buf : "");
		free(buf);
	}
}

/* A task seen in D state may only be passing through it (a shell's fork
 * sleeps a moment in kernel_clone too): look again for up to 30 ms; only a
 * task that stays in D is reported as such. */
static void settle_d_state(const struct manifest_proc *p, struct target_task *t)
{
	const struct timespec step = {0, 3000000};

	for (int i = 0; i < 10 && t->state == 'D'; i++) {
		nanosleep(&step, NULL);
		read_task(p, t);
	}
}

/* What a criu that did not finish left on the tree (tidy.h), only seen. */
static void find_leftovers(const struct manifest_proc *procs, size_t n, struct target_facts *f)
{
	struct tidy_result found;

	tidy_find(procs, n, f->netns_differs, &found);
	f->repair_left = found.repaired;
	f->locks_left = found.unlocked;
	found.repaired = found.unlocked = (struct strv){0};
	tidy_result_free(&found);
}

int inspect_target(int pid, const char *store_root, struct target_facts *f, struct cc_err *e)
{
	struct manifest_proc *procs = NULL;
	struct target_task *tasks;
	struct sockets socks = {0};
	struct strv locks = {0};
	struct statvfs vfs;
	size_t n;

	memset(f, 0, sizeof(*f));
	f->root = pid;
	if (proc_tree(pid, &procs, &n, e) < 0)
		return -1;
	tasks = calloc(n, sizeof(*tasks));
	if (!tasks) {
		free(procs);
		return err_set(e, CC_EXIT_ENV, "out-of-memory", "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		read_task(&procs[i], &tasks[i]);
		settle_d_state(&procs[i], &tasks[i]);
		collect_fds(tasks[i].pid, i, &tasks[i], &socks, &locks);
		f->sid_in_tree |= procs[i].pid == tasks[0].sid;
	}
	f->tasks = tasks;
	f->n = n;
	if (socks.n)
		count_tcp(pid, &socks, tasks);
	f->netns_differs = proc_ns_differs(pid, "net");
	if (socks.n)
		count_unix_peers(pid, &socks, tasks);
	if ((f->mntns_differs = proc_ns_differs(pid, "mnt")))
		external_mounts(pid, f);
	if ((f->pidns_differs = proc_ns_differs(pid, "pid")))
		pidns_others(pid, f);
	find_leftovers(procs, n, f);
	f->rss = proc_tree_rss(procs, n);
	if (store_root && statvfs(store_root, &vfs) == 0) {
		f->store_free = (unsigned long long)vfs.f_bavail * vfs.f_frsize;
		f->store_free_known = 1;
	}
	free(procs);
	free(socks.ino);
	free(socks.task);
	strv_free(&locks);
	return 0;
}

void inspect_target_free(struct target_facts *f)
{
	free((void *)f->tasks);
	free(f->ext);
	f->ext = NULL;
	f->n_ext = 0;
	strv_free(&f->pidns_others);
	strv_free(&f->repair_left);
	strv_free(&f->locks_left);
	f->tasks = NULL;
}
