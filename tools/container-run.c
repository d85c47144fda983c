/*
 * container-run: start a container-like process tree inside the guest, the
 * way a Kata guest's agent starts a container's init, for tests, demos and
 * people reproducing what happens in a real guest.
 *
 *   container-run [--name NAME] [--shared DIR] [--net] [--no-setsid]
 *                 [--pidfile FILE] [--log PATH] -- CMD [ARG...]
 *
 * CMD becomes pid 1 of new pid, mount, uts and ipc namespaces (--net: a
 * network namespace too, with lo up), with a root of its own: the guest's
 * root file system bound on /mnt and entered with pivot_root (with chroot
 * CRIU refuses: "The root task has another root than mntns").  Inside: a
 * proc of the new pid namespace, a private /dev (device nodes of its own, a
 * devpts instance, a tmpfs /dev/shm), a tmpfs /tmp, and /etc/hosts,
 * /etc/hostname, /etc/resolv.conf bound read-only from --shared DIR (the
 * Kata shared directory; the files are made there when missing).  stdio is
 * reopened inside (stdin /dev/null, stdout and stderr on --log, a path
 * inside the container, default /dev/null): stdio pointing at the guest's
 * /dev/null would make every dump fail ("Can't lookup mount=N for fd=0").
 *
 * The init is a session leader (setsid), unless --no-setsid: then its
 * session stays the caller's, outside its pid namespace, which is the Kata
 * bug CRIU reports as "A session leader of N(1) is outside of its pid
 * namespace".
 *
 * The Kata shape (tests/e2e/kata-sandbox lays a bundle out and calls it so):
 *   --root DIR      the container's root is DIR bound onto itself (the
 *                   bundle's rootfs), not the guest's root on /mnt; no
 *                   files from --shared then
 *   --bind SRC:DST  bind SRC read-only on DST in the container (repeatable)
 *   --rbind SRC:DST bind SRC (and what is under it) read-write on DST
 *   --mask PATH     bind the container's /dev/null on PATH (a masked path)
 *   --ipc FILE, --uts FILE  join these namespaces (kata-agent's sandbox-ns
 *                   files) instead of new ones
 *   --cgroup DIR    the init moves itself into this cgroup first
 *   --agent         a parent that stays: it calls setsid(), names itself
 *                   kata-agent, is a child subreaper, joins --ipc/--uts,
 *                   and starts the init in a new pid namespace, as
 *                   kata-agent does; it reaps until its children are gone
 *
 * It prints the init's pid (as the caller sees it) once CMD runs, and
 * returns; the container lives on.  Exit status 125 when a step failed (the
 * message names the step), 127 when CMD cannot be executed.
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

#define EXIT_SETUP 125
#define EXIT_EXEC  127
#define NEW_ROOT   "/mnt"

struct ct_opts {
	const char *name;
	const char *shared;
	const char *pidfile;
	const char *log;
	int net;
	int no_setsid;
	const char *root;   /* --root: NEW_ROOT otherwise */
	const char *ipc;    /* --ipc FILE */
	const char *uts;    /* --uts FILE */
	const char *cgroup; /* --cgroup DIR */
	int agent;
	const char *bind[16]; /* "SRC:DST" */
	int bind_rw[16];      /* --rbind: read-write, recursive */
	const char *mask[8];  /* --mask PATH */
	size_t n_mask;
	size_t n_bind;
	char **argv;
};

static const char usage_text[] =
	"usage: container-run [--name NAME] [--shared DIR] [--net] [--no-setsid]\n"
	"                     [--pidfile FILE] [--log PATH] [--root DIR] [--bind SRC:DST]...\n"
	"                     [--rbind SRC:DST]... [--ipc FILE] [--uts FILE] [--cgroup DIR]\n"
	"                     [--mask PATH]... [--agent] -- CMD [ARG...]\n";

static void parse_args(int argc, char **argv, struct ct_opts *o)
{
	static const struct option longopts[] = {
		{"name", required_argument, NULL, 'n'},	   {"shared", required_argument, NULL, 's'},
		{"net", no_argument, NULL, 'N'},	   {"no-setsid", no_argument, NULL, 'S'},
		{"pidfile", required_argument, NULL, 'p'}, {"log", required_argument, NULL, 'l'},
		{"root", required_argument, NULL, 'r'},	   {"bind", required_argument, NULL, 'b'},
		{"rbind", required_argument, NULL, 'B'},   {"ipc", required_argument, NULL, 'i'},
		{"uts", required_argument, NULL, 'u'},	   {"cgroup", required_argument, NULL, 'g'},
		{"agent", no_argument, NULL, 'a'},	   {"mask", required_argument, NULL, 'm'},
		{"help", no_argument, NULL, 'h'},	   {NULL, 0, NULL, 0},
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->name = "ct";
	o->shared = "/tmp/kata-shared";
	o->log = "/dev/null";
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (c) {
		case 'n': o->name = optarg; break;
		case 's': o->shared = optarg; break;
		case 'N': o->net = 1; break;
		case 'S': o->no_setsid = 1; break;
		case 'p': o->pidfile = optarg; break;
		case 'l': o->log = optarg; break;
		case 'r': o->root = optarg; break;
		case 'i': o->ipc = optarg; break;
		case 'u': o->uts = optarg; break;
		case 'g': o->cgroup = optarg; break;
		case 'a': o->agent = 1; break;
		case 'm':
			if (o->n_mask == sizeof(o->mask) / sizeof(o->mask[0]))
				fail("--mask: at most 8");
			o->mask[o->n_mask++] = optarg;
			break;
		case 'b':
		case 'B':
			if (o->n_bind == sizeof(o->bind) / sizeof(o->bind[0]) ||
			    !strchr(optarg, ':'))
				fail("--bind/--rbind '%s': SRC:DST, at most 16", optarg);
			o->bind_rw[o->n_bind] = c == 'B';
			o->bind[o->n_bind++] = optarg;
			break;
		case 'h': fputs(usage_text, stdout); exit(0);
		default: fputs(usage_text, stderr); exit(EXIT_SETUP);
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "container-run: no command given\n%s", usage_text);
		exit(EXIT_SETUP);
	}
	o->argv = argv + optind;
}

/* The shared directory's files, made when missing (the "host" side). */
static void prepare_shared(const struct ct_opts *o)
{
	const struct {
		const char *file, *text;
	} files[] = {
		{"hosts", "127.0.0.1\tlocalhost\n10.0.0.1\tkata-shared-host\n"},
		{"hostname", o->name},
		{"resolv.conf", "nameserver 127.0.0.1\n"},
	};
	char path[PATH_MAX];

	if (mkdir(o->shared, 0755) < 0 && errno != EEXIST)
		fail("mkdir %s", o->shared);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		FILE *f;

		path_in(path, o->shared, files[i].file);
		if (access(path, F_OK) == 0)
			continue;
		f = fopen(path, "w");
		if (!f || fprintf(f, "%s\n", files[i].text) < 0 || fclose(f) != 0)
			fail("write %s", path);
	}
}

/* /etc/hosts, /etc/hostname, /etc/resolv.conf from the shared directory. */
static void bind_shared(const struct ct_opts *o)
{
	static const char *const files[] = {"hosts", "hostname", "resolv.conf"};
	char src[PATH_MAX], dst[PATH_MAX], rel[64];

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		path_in(src, o->shared, files[i]);
		snprintf(rel, sizeof(rel), "etc/%s", files[i]);
		path_in(dst, NEW_ROOT, rel);
		bind_read_only(src, dst);
	}
}

/* --bind and --rbind SRC:DST under root; 1 when one is on /dev/shm. */
static int bind_given(const struct ct_opts *o, const char *root)
{
	char src[PATH_MAX], dst[PATH_MAX];
	int shm = 0;

	for (size_t i = 0; i < o->n_bind; i++) {
		const char *colon = strchr(o->bind[i], ':');

		snprintf(src, sizeof(src), "%.*s", (int)(colon - o->bind[i]), o->bind[i]);
		path_in(dst, root, colon + 1);
		shm |= strcmp(colon + 1, "/dev/shm") == 0;
		if (!o->bind_rw[i])
			bind_read_only(src, dst);
		else
			mount_or_fail(src, dst, NULL, MS_BIND | MS_REC, NULL, o->bind[i]);
	}
	return shm;
}

static void setup_root(const struct ct_opts *o)
{
	const char *root = o->root ? o->root : NEW_ROOT;
	char path[PATH_MAX];

	/* The guest's root file system alone (no submounts), or the bundle's
	 * rootfs bound onto itself (rustjail's init_rootfs): the container's root. */
	mount_or_fail(o->root ? o->root : "/", root, NULL, MS_BIND, NULL, "the container root");
	path_in(path, root, "proc");
	mount_or_fail("proc", path, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, "proc");
	mount_tmpfs(root, "dev", "mode=0755", MS_NOSUID);
	path_in(path, root, "dev");
	make_dev_nodes(path);
	make_dev_links(path);
	path_in(path, root, "dev/pts");
	ensure_dir(path, 0755);
	mount_or_fail("devpts", path, "devpts", MS_NOSUID | MS_NOEXEC,
		      "newinstance,ptmxmode=0666,mode=0620", "devpts");
	path_in(path, root, "dev/shm");
	ensure_dir(path, 01777);
	if (!bind_given(o, root))
		mount_tmpfs(root, "dev/shm", "mode=1777", MS_NOSUID | MS_NODEV);
	mount_tmpfs(root, "tmp", "mode=1777", MS_NOSUID | MS_NODEV);
	/* rustjail's finish_rootfs: the container's own /dev/null on each. */
	for (size_t i = 0; i < o->n_mask; i++) {
		char null[PATH_MAX];

		path_in(null, root, "dev/null");
		path_in(path, root, o->mask[i]);
		mount_or_fail(null, path, NULL, MS_BIND, NULL, o->mask[i]);
	}
	if (!o->root)
		bind_shared(o);
	if (sethostname(o->name, strlen(o->name)) < 0)
		fail("sethostname %s", o->name);
	if (o->net)
		bring_up_loopback();
	pivot_into(root);
}

/* stdio of the container's own, opened after pivot_root. */
static void reopen_stdio(const struct ct_opts *o)
{
	int in = open("/dev/null", O_RDONLY), out;

	out = open(o->log, O_WRONLY | O_CREAT | O_APPEND | O_NOCTTY, 0600);
	if (in < 0 || out < 0)
		fail("open stdio in the container (%s)", o->log);
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
		fail("dup2 stdio");
	close(in);
	close(out);
}

/*
 * pid 1 of the container: set up, then become CMD.  errfd (close-on-exec)
 * tells the caller how far it got: a 0 once the setup is done, then EOF
 * when exec closed it, or the errno of a failed exec.  A failed setup step
 * exits before the 0, with its message on stderr.
 */
__attribute__((noreturn)) static void container_init(const struct ct_opts *o, int errfd)
{
	int err = 0;
	char procs[PATH_MAX];
	FILE *f;

	/* kata-agent puts it there (cm.apply); "0" is the writer itself. */
	if (o->cgroup) {
		path_in(procs, o->cgroup, "cgroup.procs");
		f = fopen(procs, "w");
		if (!f || fputs("0\n", f) < 0 || fclose(f) != 0)
			fail("join the cgroup %s", o->cgroup);
	}
	setup_root(o);
	if (!o->no_setsid && setsid() < 0)
		fail("setsid");
	reopen_stdio(o);
	if (close_range(3, (unsigned)errfd - 1, 0) < 0 || close_range(errfd + 1, ~0U, 0) < 0)
		fail("close inherited fds");
	if (write(errfd, &err, sizeof(err)) < 0)
		_exit(EXIT_SETUP);
	execvp(o->argv[0], o->argv);
	err = errno;
	if (write(errfd, &err, sizeof(err)) < 0)
		_exit(EXIT_EXEC);
	_exit(EXIT_EXEC);
}

/* Join the namespace of a bind-mounted namespace file (NULL: nothing). */
static void join_ns(const char *file, int type)
{
	int fd;

	if (!file)
		return;
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, type) < 0)
		fail("join the namespace %s", file);
	close(fd);
}

static void write_pidfile(const char *path, pid_t pid)
{
	FILE *f = fopen(path, "w");

	if (!f || fprintf(f, "%d\n", (int)pid) < 0 || fclose(f) != 0)
		fail("write pidfile %s", path);
}

static ssize_t read_int(int fd, int *v)
{
	ssize_t n;

	do
		n = read(fd, v, sizeof(*v));
	while (n < 0 && errno == EINTR);
	return n;
}

/* Unshare the container's namespaces (joining --ipc/--uts instead), fork
 * its init and wait until it runs CMD: its pid, or an exit on failure. */
static pid_t start_init(const struct ct_opts *o)
{
	int pipefd[2], err = 0, status;
	unsigned long flags = CLONE_NEWPID | CLONE_NEWNS;
	ssize_t n;
	pid_t init;

	flags |= (o->ipc ? 0 : CLONE_NEWIPC) | (o->uts ? 0 : CLONE_NEWUTS);
	if (o->net)
		flags |= CLONE_NEWNET;
	join_ns(o->ipc, CLONE_NEWIPC);
	join_ns(o->uts, CLONE_NEWUTS);
	if (unshare((int)flags) < 0)
		fail("unshare the container's namespaces");
	/* Nothing done for the container may reach the guest's mounts. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		fail("make / recursively private");
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		fail("pipe");
	init = fork();
	if (init < 0)
		fail("fork the container's init");
	if (init == 0)
		container_init(o, pipefd[1]);
	close(pipefd[1]);
	n = read_int(pipefd[0], &err);
	if (n <= 0) { /* setup failed; its message is on stderr */
		waitpid(init, &status, 0);
		exit(EXIT_SETUP);
	}
	n = read_int(pipefd[0], &err);
	if (n > 0) {
		fprintf(stderr, "container-run: exec %s: %s\n", o->argv[0], strerror(err));
		waitpid(init, &status, 0);
		exit(EXIT_EXEC);
	}
	close(pipefd[0]);
	return init;
}

/*
 * --agent: the stand-in for kata-agent, which a systemd service makes a
 * session leader, which is a child subreaper (signal.rs), and whose
 * container inits are its children.  Reports the init's pid on report,
 * then reaps until no child is left.
 */
__attribute__((noreturn)) static void agent(const struct ct_opts *o, int report)
{
	pid_t init;
	int fd;

	if (setsid() < 0 || prctl(PR_SET_NAME, "kata-agent", 0, 0, 0) < 0 ||
	    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		fail("become kata-agent (setsid, name, subreaper)");
	init = start_init(o);
	if (write(report, &init, sizeof(init)) != (ssize_t)sizeof(init))
		_exit(EXIT_SETUP);
	fd = open("/dev/null", O_RDWR);
	if (fd < 0 || dup2(fd, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
		_exit(EXIT_SETUP);
	close_range(3, ~0U, 0);
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
	_exit(0);
}

int main(int argc, char **argv)
{
	struct ct_opts o;
	int report[2];
	pid_t init = 0, a;

	ns_program = "container-run";
	ns_exit_code = EXIT_SETUP;
	parse_args(argc, argv, &o);
	if (!o.root)
		prepare_shared(&o);
	if (!o.agent) {
		init = start_init(&o);
	} else {
		if (pipe2(report, O_CLOEXEC) < 0)
			fail("pipe");
		a = fork();
		if (a < 0)
			fail("fork the agent");
		if (a == 0)
			agent(&o, report[1]);
		close(report[1]);
		if (read_int(report[0], &init) != (ssize_t)sizeof(init))
			return EXIT_SETUP; /* the agent said why on stderr */
	}
	if (o.pidfile)
		write_pidfile(o.pidfile, init);
	printf("%d\n", (int)init);
	return 0;
}
