/*
 * tidy: see tidy.h.  Sockets are reached with pidfd_getfd(2), which gives
 * criuctl its own reference to the very socket the task holds (allowed to
 * root while criu still ptraces the task); the nftables lock table is
 * tidy_nft.c's, criu's iptables rules are deleted with iptables itself.
 */
#include "tidy.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "criu_log.h"
#include "cleanup.h"
#include "fsutil.h"
#include "netlock.h"
#include "netns.h"
#include "proc.h"
#include "tidy_int.h"

extern char **environ;

#ifndef TCP_REPAIR_OFF
#define TCP_REPAIR_OFF 0
#endif

/* ---- TCP sockets left in repair mode ---- */

/* Only a socket in repair mode answers TCP_REPAIR_WINDOW. */
static int in_repair(int sk)
{
	struct tcp_repair_window w;
	socklen_t len = sizeof(w);
	int proto = 0;
	socklen_t plen = sizeof(proto);

	return getsockopt(sk, SOL_SOCKET, SO_PROTOCOL, &proto, &plen) == 0 &&
	       proto == IPPROTO_TCP &&
	       getsockopt(sk, IPPROTO_TCP, TCP_REPAIR_WINDOW, &w, &len) == 0;
}

/* The established TCP connections of the tree (for the iptables lock). */
struct conns {
	struct tcp_conn *v;
	size_t n;
};

static void addr_text(const struct sockaddr_storage *sa, char *dst, size_t size, int *port)
{
	if (sa->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)sa;

		inet_ntop(AF_INET6, &a->sin6_addr, dst, (socklen_t)size);
		*port = ntohs(a->sin6_port);
	} else {
		const struct sockaddr_in *a = (const struct sockaddr_in *)sa;

		inet_ntop(AF_INET, &a->sin_addr, dst, (socklen_t)size);
		*port = ntohs(a->sin_port);
	}
}

/* Remember the TCP socket sk when it is connected. */
static void note_conn(int sk, struct conns *cs)
{
	struct sockaddr_storage l, p;
	socklen_t ll = sizeof(l), pl = sizeof(p);
	struct tcp_conn c = {0};
	struct tcp_conn *v;

	if (getsockname(sk, (struct sockaddr *)&l, &ll) < 0 ||
	    getpeername(sk, (struct sockaddr *)&p, &pl) < 0 ||
	    (l.ss_family != AF_INET && l.ss_family != AF_INET6))
		return;
	c.ipv6 = l.ss_family == AF_INET6;
	addr_text(&l, c.local, sizeof(c.local), &c.lport);
	addr_text(&p, c.remote, sizeof(c.remote), &c.rport);
	v = realloc(cs->v, (cs->n + 1) * sizeof(*v));
	if (!v)
		return;
	cs->v = v;
	cs->v[cs->n++] = c;
}

static int is_tcp(int sk)
{
	int proto = 0;
	socklen_t plen = sizeof(proto);

	return getsockopt(sk, SOL_SOCKET, SO_PROTOCOL, &proto, &plen) == 0 && proto == IPPROTO_TCP;
}

/* The TCP sockets of pid in repair mode: taken out of it (fix), or only
 * listed in r->repaired; its connections into cs when cs is not NULL. */
static void repair_task(int pid, int fix, struct tidy_result *r, struct conns *cs)
{
	char dir[64];
	cleanup_close int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	cleanup_closedir DIR *d = NULL;
	struct dirent *de;

	snprintf(dir, sizeof(dir), "%s/%d/fd", proc_root(), pid);
	d = pidfd >= 0 ? opendir(dir) : NULL;
	while (d && (de = readdir(d))) {
		char link[64];
		ssize_t n = readlinkat(dirfd(d), de->d_name, link, sizeof(link) - 1);
		int fd, sk;

		if (n <= 0 || (link[n] = '\0', strncmp(link, "socket:[", 8) != 0))
			continue;
		fd = atoi(de->d_name);
		sk = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
		if (sk < 0)
			continue;
		if (cs && is_tcp(sk))
			note_conn(sk, cs);
		if (in_repair(sk)) {
			int off = TCP_REPAIR_OFF;

			if (!fix || setsockopt(sk, IPPROTO_TCP, TCP_REPAIR, &off, sizeof(off)) == 0)
				strv_pushf(&r->repaired, "pid %d fd %d", pid, fd);
			else
				strv_pushf(&r->failed, "pid %d fd %d: TCP_REPAIR off: %s", pid, fd,
					   strerror(errno));
		}
		close(sk);
	}
}

/* Run argv (iptables), its output dropped; its exit status, or -1 when it
 * could not run (no iptables: then criu could not have locked with it). */
static int run_quiet(char *const argv[])
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int status, rc;

	if (posix_spawn_file_actions_init(&fa) != 0)
		return -1;
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0)
		return -1;
	/* This very child only: the supervisor's loop reaps its own. */
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Delete criu's iptables lock rules of each connection (netlock.h); a rule
 * that is not there (criu had not locked it yet) is no error. */
static void unlock_iptables(const struct conns *cs, struct tidy_result *r)
{
	for (size_t i = 0; i < cs->n; i++) {
		const struct tcp_conn *c = &cs->v[i];

		for (int input = 1; input >= 0; input--) {
			struct strv argv = {0};

			if (netlock_iptables_delete(c, input, &argv) == 0 && run_quiet(argv.v) == 0)
				strv_pushf(&r->unlocked, "iptables rule %s %s:%d -> %s:%d",
					   input ? "INPUT" : "OUTPUT", input ? c->remote : c->local,
					   input ? c->rport : c->lport,
					   input ? c->local : c->remote,
					   input ? c->lport : c->rport);
			strv_free(&argv);
		}
	}
}

void tidy_tree(const struct manifest_proc *tree, size_t n, const char *run_id, int iptables,
	       struct tidy_result *r)
{
	struct proc_stat st;
	struct conns cs = {0};
	int alive = 0; /* a task of the tree, for its network namespace */

	memset(r, 0, sizeof(*r));
	/* Sockets first: once the lock is gone, packets reach them again. */
	for (size_t i = 0; i < n; i++)
		if (proc_same_task(tree[i].pid, tree[i].starttime, &st)) {
			repair_task(tree[i].pid, 1, r, iptables ? &cs : NULL);
			alive = alive ? alive : tree[i].pid;
		}
	/* No task left: a tree that shared criuctl's namespace left its lock
	 * here; one that had its own took the namespace with it. */
	if (run_id && run_id[0])
		tidy_nft_unlock(alive, run_id, r);
	/* criu's iptables rules of a tree in criuctl's own namespace (a tree
	 * with a namespace of its own is locked by a chain there, not these). */
	if (cs.n && !proc_ns_differs(alive, "net"))
		unlock_iptables(&cs, r);
	free(cs.v);
}

void tidy_find(const struct manifest_proc *tree, size_t n, int own_netns, struct tidy_result *found)
{
	struct proc_stat st;
	struct strv names = {0};
	int sk;

	memset(found, 0, sizeof(*found));
	for (size_t i = 0; i < n; i++)
		if (proc_same_task(tree[i].pid, tree[i].starttime, &st))
			repair_task(tree[i].pid, 0, found, NULL);
	if (!n || !own_netns)
		return;
	sk = netns_socket(tree[0].pid, AF_NETLINK, SOCK_RAW, NETLINK_NETFILTER);
	if (sk >= 0 && tidy_nft_list(sk, NULL, &names) == 0)
		for (size_t i = 0; i < names.n; i++)
			strv_pushf(&found->unlocked, "inet %s", names.v[i]);
	strv_free(&names);
	if (sk >= 0)
		close(sk);
}

void tidy_run_id_at(int dirfd, const char *name, char *dst, size_t size)
{
	char head[4096];
	ssize_t n = dirfd >= 0 ? fs_read_head_at(dirfd, name, head, sizeof(head)) : -1;

	criu_log_run_id(head, n > 0 ? (size_t)n : 0, dst, size);
}

void tidy_unlock(int pid, const char *run_id, struct tidy_result *r)
{
	memset(r, 0, sizeof(*r));
	if (run_id && run_id[0])
		tidy_nft_unlock(pid, run_id, r);
}

void tidy_restored(struct manifest_proc *spawned, size_t *n, struct tidy_result *r)
{
	struct proc_stat st;
	size_t left = 0;

	memset(r, 0, sizeof(*r));
	for (size_t i = 0; i < *n; i++) {
		if (!proc_same_task(spawned[i].pid, spawned[i].starttime, &st) || st.state == 'Z')
			continue;
		if (kill(spawned[i].pid, SIGKILL) == 0) {
			strv_pushf(&r->killed, "pid %d %s", spawned[i].pid, st.comm);
			continue;
		}
		strv_pushf(&r->failed, "kill pid %d (%s): %s", spawned[i].pid, st.comm,
			   strerror(errno));
		spawned[left++] = spawned[i];
	}
	*n = left;
}

void tidy_result_free(struct tidy_result *r)
{
	strv_free(&r->repaired);
	strv_free(&r->unlocked);
	strv_free(&r->killed);
	strv_free(&r->failed);
}
