/*
 * selftest: the canaries and their dump/restore round trip.
 *
 * A canary is criuctl itself ("criuctl __canary KIND FILE", started like
 * `criuctl run` starts workloads): a parent and a child exchange a counter
 * through the resource under test and write it to FILE every 50 ms.  The
 * round trip runs criuctl's own dump and restore (--json) as child
 * processes, so the selftest exercises exactly what users run; a canary
 * works when its counter goes on after the restore.
 */
#include "selftest.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "criu.h"
#include "fsutil.h"
#include "proc.h"
#include "supervisor.h"

#define TICK_NS 50000000L

struct canary {
	const char *kind;
	const char *what;
	const char *restore_opt; /* restore's option for this canary, or NULL */
};

static const struct canary canaries[] = {
	{"pipe", "a pipe between two processes", NULL},
	{"unix", "a unix socket pair between two processes", NULL},
	{"tcp", "an established TCP loopback connection inside the tree", NULL},
	{"lock", "a file lock (flock)", NULL},
	{"lazy", "post-copy restore (restore --lazy: userfaultfd, criu lazy-pages)", "--lazy"},
};

/* The lazy canary's memory: it beats only while every byte is as written. */
#define LAZY_CANARY_BYTES (16u << 20)

/* ---- the canary process ---- */

static void beat(int fd, unsigned long n)
{
	char b[32];
	int k = snprintf(b, sizeof(b), "%lu\n", n);

	if (pwrite(fd, b, (size_t)k, 0) < 0)
		_exit(1);
}

static void tick(void)
{
	struct timespec ts = {0, TICK_NS};

	nanosleep(&ts, NULL);
}

/* The child side: echo what arrives on fd (a pipe's read end just reads). */
static void echo_loop(int in, int out, int beat_fd)
{
	unsigned long n;

	while (read(in, &n, sizeof(n)) == (ssize_t)sizeof(n)) {
		if (out >= 0 && write(out, &n, sizeof(n)) != (ssize_t)sizeof(n))
			break;
		if (beat_fd >= 0)
			beat(beat_fd, n);
	}
	_exit(0);
}

/* The parent side: send a counter, expect it back (unless one-way). */
static void count_loop(int out, int in, int beat_fd)
{
	for (unsigned long n = 1;; n++) {
		unsigned long back;

		if (write(out, &n, sizeof(n)) != (ssize_t)sizeof(n))
			_exit(1);
		if (in >= 0 &&
		    (read(in, &back, sizeof(back)) != (ssize_t)sizeof(back) || back != n))
			_exit(1);
		if (in >= 0)
			beat(beat_fd, n);
		tick();
	}
}

static int tcp_pair(int *a, int *b)
{
	struct sockaddr_in addr = {.sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof(addr);
	int l = socket(AF_INET, SOCK_STREAM, 0);

	if (l < 0 || bind(l, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(l, 1) < 0 ||
	    getsockname(l, (struct sockaddr *)&addr, &alen) < 0)
		return -1;
	*b = socket(AF_INET, SOCK_STREAM, 0);
	if (*b < 0 || connect(*b, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return -1;
	*a = accept(l, NULL, NULL);
	close(l); /* only the established connection stays */
	return *a < 0 ? -1 : 0;
}

/* Memory that a lazy restore must bring back whole: the canary stops
 * beating at the first byte that is not what it wrote. */
static int lazy_loop(int beat_fd)
{
	unsigned char *m = malloc(LAZY_CANARY_BYTES);

	if (!m)
		return 1;
	for (size_t i = 0; i < LAZY_CANARY_BYTES; i++)
		m[i] = (unsigned char)(i * 7 + 1);
	for (unsigned long n = 1;; n++, tick()) {
		for (size_t i = 0; i < LAZY_CANARY_BYTES; i += 4096)
			if (m[i] != (unsigned char)(i * 7 + 1))
				return 2;
		beat(beat_fd, n);
	}
}

static int canary_main(const char *kind, const char *file)
{
	int beat_fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0600), p[2];

	if (beat_fd < 0)
		return 1;
	if (strcmp(kind, "lazy") == 0)
		return lazy_loop(beat_fd);
	if (strcmp(kind, "lock") == 0) {
		if (flock(beat_fd, LOCK_EX) < 0)
			return 1;
		for (unsigned long n = 1;; n++, tick())
			beat(beat_fd, n);
	}
	if (strcmp(kind, "pipe") == 0 && pipe(p) == 0) {
		if (fork() == 0) {
			close(p[1]);
			echo_loop(p[0], -1, beat_fd);
		}
		close(p[0]);
		count_loop(p[1], -1, -1);
	}
	if ((strcmp(kind, "unix") == 0 && socketpair(AF_UNIX, SOCK_STREAM, 0, p) == 0) ||
	    (strcmp(kind, "tcp") == 0 && tcp_pair(&p[0], &p[1]) == 0)) {
		if (fork() == 0) {
			close(p[0]);
			echo_loop(p[1], p[1], -1);
		}
		close(p[1]);
		count_loop(p[0], p[0], beat_fd);
	}
	return 1;
}

int cmd_canary(struct cli *c, int argc, char **argv)
{
	(void)c;
	return argc == 3 ? canary_main(argv[1], argv[2]) : CC_EXIT_USAGE;
}

/* ---- the round trip ---- */

static unsigned long read_beat(const char *file)
{
	char *buf;
	size_t len;
	unsigned long n = 0;

	if (fs_read_at(AT_FDCWD, file, 64, &buf, &len) == 0) {
		n = strtoul(buf, NULL, 10);
		free(buf);
	}
	return n;
}

/* Wait up to secs for the counter in file to pass above. */
static int beat_passes(const char *file, unsigned long above, double secs)
{
	for (double t = 0; t < secs; t += 0.05) {
		if (read_beat(file) > above)
			return 1;
		tick();
	}
	return 0;
}

/* criuctl --json ARGS... as a child; its JSON document, or NULL. */
static json_t *criuctl_json(const char *criu, const char *store, const char *const *args)
{
	/* No configuration: the selftest is about criu and the kernel, not about
	 * the user's defaults (leave_running = true would break every canary). */
	char *argv[16] = {(char *)criuctl_self(), (char *)"--json",  (char *)"-c",
			  (char *)"/dev/null",	  (char *)"--store", (char *)store,
			  (char *)"--criu",	  (char *)criu};
	struct sup_spec spec = {.argv = argv, .timeout = 120};
	struct sup_result res;
	struct cc_err e;
	json_t *doc = NULL;
	size_t n = 8;

	for (size_t i = 0; args[i] && n < 15; i++)
		argv[n++] = (char *)args[i];
	if (supervisor_run(&spec, &res, &e) == 0 && res.output)
		doc = json_loads(res.output, JSON_DISABLE_EOF_CHECK, NULL);
	sup_result_free(&res);
	return doc;
}

static const char *json_str(json_t *doc, const char *a, const char *b)
{
	json_t *v = json_object_get(doc, a);
	const char *s = json_string_value(b ? json_object_get(v, b) : v);

	return s ? s : "";
}

static const char *or_default(const char *remedy)
{
	return *remedy ? remedy
		       : "Run 'criuctl check' for the environment; the selftest's logs are "
			 "gone with its temporary store.";
}

static void stop_tree(int pid)
{
	if (pid > 0) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
	}
}

/*
 * After the dump killed the canary: reap it (it is criuctl's own child: a
 * zombie would hold its pid and the restore would rightly refuse), and wait
 * for its child to be reaped by init.
 */
static void wait_gone(int pid, const int *kids, size_t n)
{
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	for (size_t i = 0; i < n; i++)
		for (int t = 0; t < 60 && kill(kids[i], 0) == 0; t++)
			tick();
}

/* Dump then restore; fills the finding.  Returns the restored pid, or 0. */
static int round_trip(const char *criu, const char *store, const struct canary *k, int pid,
		      const char *beat_file, struct findings *f)
{
	char id[32], pid_s[16];
	const char *dump[] = {"dump", "--tree", pid_s, "--name", k->kind, NULL};
	const char *restore[] = {"restore", k->kind, k->restore_opt, NULL};
	cleanup_json json_t *d = NULL;
	cleanup_json json_t *r = NULL;
	cleanup_free int *kids = NULL;
	int restored;
	unsigned long at;
	size_t n_kids = 0;

	snprintf(id, sizeof(id), "selftest-%s", k->kind);
	snprintf(pid_s, sizeof(pid_s), "%d", pid);
	proc_descendants(pid, &kids, &n_kids);
	d = criuctl_json(criu, store, dump);
	if (!json_is_true(json_object_get(d, "ok"))) {
		findings_add(f, id, LEVEL_FAIL, or_default(json_str(d, "error", "remedy")),
			     "%s: dump fails: %s", k->what,
			     d ? json_str(d, "error", "message") : "criuctl dump gave no answer");
		return 0;
	}
	wait_gone(pid, kids, n_kids);
	at = read_beat(beat_file);
	r = criuctl_json(criu, store, restore);
	restored = (int)json_integer_value(json_object_get(r, "pid"));
	if (!json_is_true(json_object_get(r, "ok")))
		findings_add(f, id, LEVEL_FAIL, or_default(json_str(r, "error", "remedy")),
			     "%s: restore fails: %s", k->what, json_str(r, "error", "message"));
	else if (!beat_passes(beat_file, at + 2, 3))
		findings_add(
			f, id, LEVEL_FAIL,
			"Read the restore log of the selftest's checkpoint: run 'criuctl check "
			"--selftest -v', or dump and restore such a process by hand.",
			"%s: restored, but the canary did not go on", k->what);
	else
		findings_add(f, id, LEVEL_OK, NULL, "%s: works (dump %lld ms, restore %lld ms)",
			     k->what,
			     (long long)json_integer_value(json_object_get(d, "duration_ms")),
			     (long long)json_integer_value(json_object_get(r, "duration_ms")));
	return restored;
}

static void one_canary(struct cli *c, const char *criu, const char *dir, const struct canary *k,
		       struct findings *f)
{
	char beat_file[600], store[600], id[32];
	char *argv[] = {(char *)criuctl_self(), (char *)"__canary", (char *)k->kind, beat_file,
			NULL};
	struct run_req req = {.argv = argv};
	int pid = 0, restored;

	snprintf(beat_file, sizeof(beat_file), "%s/%s.beat", dir, k->kind);
	snprintf(store, sizeof(store), "%s/store", dir);
	snprintf(id, sizeof(id), "selftest-%s", k->kind);
	if (run_start(c, &req, &pid) < 0 || !beat_passes(beat_file, 1, 5)) {
		findings_add(f, id, LEVEL_FAIL,
			     "criuctl could not start its own canary process: check /tmp is "
			     "writable and the loopback interface is up.",
			     "%s: the canary did not start", k->what);
		stop_tree(pid);
		return;
	}
	restored = round_trip(criu, store, k, pid, beat_file, f);
	stop_tree(pid);
	stop_tree(restored);
}

int selftest_run(struct cli *c, struct findings *f)
{
	char dir[] = "/tmp/criuctl-selftest.XXXXXX", criu[PATH_MAX];
	struct cc_err e;

	if (criu_resolve(c->criu_want, criu, sizeof(criu), &e) < 0)
		return findings_add(f, "criu-missing", LEVEL_FAIL, e.remedy, "%s", e.msg);
	if (!mkdtemp(dir))
		return err_sys(&c->err, CC_EXIT_ENV, "selftest", errno, "selftest: mkdtemp %s",
			       dir);
	for (size_t i = 0; i < sizeof(canaries) / sizeof(canaries[0]); i++)
		one_canary(c, criu, dir, &canaries[i], f);
	fs_rmtree_at(AT_FDCWD, dir);
	return 0;
}
