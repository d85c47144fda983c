/*
 * guest-sandbox: run one command as root inside the guest root filesystem,
 * in fresh pid, mount, network, uts and ipc namespaces, the way a Kata
 * guest's agent runs a container's processes, so that the real criu can
 * dump and restore process trees there.
 *
 *   guest-sandbox --rootfs DIR [--bind-ro SRC:DST]... -- CMD [ARG...]
 *
 * This file owns the whole sandbox: the namespaces, the mounts of the guest
 * (its own root via pivot_root, fresh proc, a private /dev with its own
 * devpts, tmpfs on /dev/shm, /tmp and /run, read-only binds from the host),
 * the loopback interface, the init process (pid 1) that forwards signals and
 * reaps orphans, and the exit status. It follows the recipe measured in
 * GUEST-NOTES.md; the comments below say which CRIU failure each step avoids.
 *
 * Exit status: CMD's exit code, or 128+N when CMD died by signal N; 125 when
 * the sandbox itself failed (usage, or any setup step: the message on stderr
 * names the step and the path); 126/127 when CMD cannot be executed / found.
 *
 * Build: gcc -O2 -Wall -Wextra -Werror -std=gnu11 -o guest-sandbox sandbox.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nsutil.h"

#define EXIT_SANDBOX	 125 /* our own failure, as docker/podman run use it */
#define EXIT_CANNOT_EXEC 126
#define EXIT_NOT_FOUND	 127
#define MAX_BINDS	 16
#define GUEST_HOSTNAME	 "guest"

struct bind_ro {
	char *src; /* canonical host path */
	char *dst; /* absolute path inside the guest */
};

struct sandbox_opts {
	char *rootfs; /* canonical host path of the guest root */
	struct bind_ro binds[MAX_BINDS];
	int nbinds;
	char **argv; /* CMD and its arguments */
};

/* The signals a terminal or a supervisor uses to stop a run. */
static const int forwarded_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

/* Who a forwarded signal goes to: pid 1 in the outer parent, CMD in pid 1.
 * Zero until that process exists (signals stay blocked until then). */
static volatile sig_atomic_t forward_to;

__attribute__((noreturn)) static void usage_error(const char *msg)
{
	fprintf(stderr,
		"guest-sandbox: %s\n"
		"usage: guest-sandbox --rootfs DIR [--bind-ro SRC:DST]... -- CMD [ARG...]\n",
		msg);
	exit(EXIT_SANDBOX);
}

/* ---- options ------------------------------------------------------------ */

static char *canonical_dir(const char *path, const char *what)
{
	struct stat st;
	char *real = realpath(path, NULL);

	if (!real)
		fail("%s %s", what, path);
	if (stat(real, &st) < 0)
		fail("stat %s %s", what, real);
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		fail("%s %s", what, real);
	}
	return real;
}

/* SRC:DST, split at the last ':' (host paths are less tame than ours). */
static void add_bind(struct sandbox_opts *o, const char *spec)
{
	char *copy, *colon;

	if (o->nbinds == MAX_BINDS)
		usage_error("too many --bind-ro");
	copy = strdup(spec);
	colon = copy ? strrchr(copy, ':') : NULL;
	if (!colon || colon == copy || colon[1] != '/')
		usage_error("--bind-ro wants SRC:DST with an absolute DST");
	*colon = '\0';
	o->binds[o->nbinds].src = canonical_dir(copy, "--bind-ro source");
	o->binds[o->nbinds].dst = colon + 1;
	o->nbinds++;
}

static void parse_args(int argc, char **argv, struct sandbox_opts *o)
{
	static const struct option longopts[] = {
		{"rootfs", required_argument, NULL, 'r'},
		{"bind-ro", required_argument, NULL, 'b'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	memset(o, 0, sizeof(*o));
	/* '+': stop at CMD, so CMD's own options are left alone. */
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		if (c == 'r')
			o->rootfs = canonical_dir(optarg, "rootfs");
		else if (c == 'b')
			add_bind(o, optarg);
		else if (c == 'h') {
			printf("usage: guest-sandbox --rootfs DIR [--bind-ro SRC:DST]... -- CMD "
			       "[ARG...]\n");
			exit(0);
		} else
			usage_error("bad option");
	}
	if (!o->rootfs)
		usage_error("--rootfs is required");
	if (optind >= argc)
		usage_error("no command given");
	o->argv = argv + optind;
}

/* ---- signals and exit status -------------------------------------------- */

static void forward_signal(int sig)
{
	int saved = errno;

	if (forward_to > 0)
		kill((pid_t)forward_to, sig);
	errno = saved;
}

/* Blocked from before the fork until the receiver of forwarded signals is
 * known: a signal in that window stays pending instead of being lost (pid 1
 * of a pid namespace silently drops signals it has no handler for). */
static void block_forwarded_signals(sigset_t *old)
{
	sigset_t set;
	size_t i;

	sigemptyset(&set);
	for (i = 0; i < sizeof(forwarded_signals) / sizeof(forwarded_signals[0]); i++)
		sigaddset(&set, forwarded_signals[i]);
	if (sigprocmask(SIG_BLOCK, &set, old) < 0)
		fail("block signals");
}

static void set_forwarded_handlers(void (*handler)(int))
{
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	for (i = 0; i < sizeof(forwarded_signals) / sizeof(forwarded_signals[0]); i++)
		if (sigaction(forwarded_signals[i], &sa, NULL) < 0)
			fail("install handler for signal %d", forwarded_signals[i]);
}

static int exit_code_of(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return EXIT_SANDBOX;
}

/* ---- file descriptors --------------------------------------------------- */

/* Fds inherited from the caller (bats keeps several open) would become
 * external resources of every workload, which CRIU cannot dump. */
static void close_fds_above_stdio(void)
{
	if (close_range(3, ~0U, 0) < 0)
		fail("close inherited fds (close_range)");
}

/* ---- mounts ------------------------------------------------------------- */

static void setup_dev(const char *root)
{
	char dev[PATH_MAX], pts[PATH_MAX];

	mount_tmpfs(root, "dev", "mode=0755", MS_NOSUID);
	path_in(dev, root, "dev");
	make_dev_nodes(dev);
	/* A devpts instance of our own: ptys opened in the guest belong to
	 * the guest's mount namespace, and ptmx must point into it. */
	path_in(pts, dev, "pts");
	ensure_dir(pts, 0755);
	mount_or_fail("devpts", pts, "devpts", MS_NOSUID | MS_NOEXEC,
		      "newinstance,ptmxmode=0666,mode=0620", "devpts");
	make_dev_links(dev);
	mount_tmpfs(dev, "shm", "mode=1777", MS_NOSUID | MS_NODEV);
}

/* A --bind-ro source at its place in the guest (created when missing). */
static void bind_guest(const char *root, const struct bind_ro *b)
{
	char dst[PATH_MAX];

	path_in(dst, root, b->dst);
	ensure_dir_tree(dst);
	bind_read_only(b->src, dst);
}

static void setup_mounts(const struct sandbox_opts *o)
{
	char path[PATH_MAX];
	int i;

	/* pivot_root needs the new root to be a mount point. */
	mount_or_fail(o->rootfs, o->rootfs, NULL, MS_BIND | MS_REC, NULL, "rootfs bind");
	/* A proc of the new pid namespace: criu reads the guest's pids. */
	path_in(path, o->rootfs, "proc");
	ensure_dir(path, 0555);
	mount_or_fail("proc", path, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, "proc");
	setup_dev(o->rootfs);
	mount_tmpfs(o->rootfs, "tmp", "mode=1777", MS_NOSUID | MS_NODEV);
	mount_tmpfs(o->rootfs, "run", "mode=0755", MS_NOSUID | MS_NODEV);
	/* criuctl's default store: each sandbox starts with an empty one, and
	 * the image on disk never collects checkpoints. */
	path_in(path, o->rootfs, "var/lib/criuctl");
	ensure_dir_tree(path);
	mount_or_fail("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0700", "store tmpfs");
	for (i = 0; i < o->nbinds; i++)
		bind_guest(o->rootfs, &o->binds[i]);
}

/* ---- network and uts ---------------------------------------------------- */

static void set_hostname(void)
{
	if (sethostname(GUEST_HOSTNAME, strlen(GUEST_HOSTNAME)) < 0)
		fail("sethostname %s", GUEST_HOSTNAME);
}

/* ---- the guest's pid 1 and CMD ------------------------------------------ */

/* CMD keeps the caller's session and process group: no setsid, as a Kata
 * agent's processes (that is what makes "A session leader of N(M) is outside
 * of its pid namespace" reproducible for workloads started without setsid). */
__attribute__((noreturn)) static void exec_cmd(char **argv, const sigset_t *mask)
{
	int err;

	set_forwarded_handlers(SIG_DFL);
	sigprocmask(SIG_SETMASK, mask, NULL);
	close_fds_above_stdio();
	execvp(argv[0], argv);
	err = errno;
	fprintf(stderr, "guest-sandbox: exec %s: %s\n", argv[0], strerror(err));
	_exit(err == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_EXEC);
}

/* Reap everything (orphans of the guest reparent to pid 1) until CMD is
 * gone; CMD's status becomes the sandbox's. */
static int reap_until(pid_t cmd)
{
	int status;
	pid_t pid;

	for (;;) {
		pid = waitpid(-1, &status, 0);
		if (pid == cmd)
			return exit_code_of(status);
		if (pid < 0 && errno != EINTR)
			fail("wait for %s", "children");
	}
}

/* pid 1 of the guest. Its exit ends the pid namespace: the kernel kills
 * whatever CMD left behind, so an orphan cannot keep the sandbox alive. */
__attribute__((noreturn)) static void run_init(const struct sandbox_opts *o, const sigset_t *mask)
{
	pid_t cmd;

	/* If the outer parent is killed, take the whole guest down with it. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		fail("prctl PR_SET_PDEATHSIG");
	set_forwarded_handlers(forward_signal);
	setup_mounts(o);
	set_hostname();
	bring_up_loopback();
	pivot_into(o->rootfs);
	cmd = fork();
	if (cmd < 0)
		fail("fork %s", o->argv[0]);
	if (cmd == 0)
		exec_cmd(o->argv, mask);
	forward_to = cmd;
	sigprocmask(SIG_SETMASK, mask, NULL);
	_exit(reap_until(cmd));
}

/* ---- the outer parent --------------------------------------------------- */

/* unshare in the parent, so that its first child is pid 1 of the new pid
 * namespace; then make every mount private so nothing done in the guest
 * propagates to the host (and pivot_root accepts the tree). */
static void enter_namespaces(void)
{
	if (unshare(CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWIPC) < 0)
		fail("unshare pid, mount, net, uts and ipc namespaces");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		fail("make / recursively private");
}

static int supervise(pid_t init, const sigset_t *mask)
{
	int status;

	forward_to = init;
	set_forwarded_handlers(forward_signal);
	sigprocmask(SIG_SETMASK, mask, NULL);
	while (waitpid(init, &status, 0) < 0)
		if (errno != EINTR)
			fail("wait for the guest's pid 1");
	return exit_code_of(status);
}

int main(int argc, char **argv)
{
	struct sandbox_opts opts;
	sigset_t mask;
	pid_t init;

	ns_program = "guest-sandbox";
	ns_exit_code = EXIT_SANDBOX;
	parse_args(argc, argv, &opts);
	close_fds_above_stdio();
	enter_namespaces();
	block_forwarded_signals(&mask);
	init = fork();
	if (init < 0)
		fail("fork the guest's pid 1");
	if (init == 0)
		run_init(&opts, &mask);
	return supervise(init, &mask);
}
