/*
 * receive_steps: the steps of `criuctl receive` (receive.h).
 *
 * criu page-server runs under the supervisor, not through run_criu: it is
 * no dump or restore (no tree, no point of no return, no "finished
 * successfully" line to judge); its exit status and log decide.  It ends
 * by itself once the dump that sent to it closes the connection.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "commit.h"
#include "fsutil.h"
#include "netchan.h"
#include "receive.h"
#include "supervisor.h"

#define PS_LOG	  "page-server.log"
#define PS_READY  "Running status-ready scripts"
#define MAX_FILES 100000

/* The sender gave up (ABORT, or closed) while criu page-server still waits
 * for a dump that will never come: end criu page-server now, not at the
 * deadline.  Only a peek: images that come early stay for receive_images. */
static void watch_sender(struct receive *r, int pid)
{
	char buf[6];
	ssize_t n = recv(r->conn, buf, sizeof(buf), MSG_PEEK | MSG_DONTWAIT);

	if (n == 0 || (n == 6 && memcmp(buf, "ABORT\n", 6) == 0)) {
		r->sender_gone = 1;
		kill(pid, SIGKILL);
	}
}

/* Once criu page-server says it listens, the sender may dump. */
static void on_tick(void *arg, const struct sup_status *st)
{
	struct receive *r = arg;

	if (r->ready_sent && !r->sender_gone)
		watch_sender(r, st->pid);
	for (size_t i = 0; !r->ready_sent && i < st->last_lines->n; i++)
		if (strstr(st->last_lines->v[i], PS_READY)) {
			r->ready_sent = 1;
			net_write_all(r->conn, "READY\n", 6);
		}
}

static int page_server_failed(struct cli *c, struct receive *r, const struct sup_result *res)
{
	const char *last = res->last_lines.n ? res->last_lines.v[res->last_lines.n - 1] : "";

	err_set(&c->err, CC_EXIT_CRIU_FAILED, "page-server-failed", "criu page-server %s %d%s%s",
		res->end.exited ? "exited with status" : "was killed by signal",
		res->end.exited ? res->end.exit_status : res->end.term_signal,
		*last ? "; its last line: " : "", last);
	snprintf(c->err.log, sizeof(c->err.log), "%s/" PS_LOG, r->at.dir);
	err_remedy(&c->err, "See %s (kept under failed/).", PS_LOG);
	return CC_EXIT_CRIU_FAILED;
}

static int sender_aborted(struct cli *c)
{
	err_set(&c->err, CC_EXIT_CRIU_FAILED, "sender-aborted",
		"the sender gave up before its dump sent anything: nothing to restore");
	return CC_EXIT_CRIU_FAILED;
}

int receive_pages(struct cli *c, struct receive *r)
{
	char images[sizeof(r->at.dir) + 16], port[16];
	struct criu_opts o = {0};
	struct strv argv = {0};
	struct sup_result res;
	struct restore_req req = {
		.criu = c->criu, .images_dir = images, .work_dir = r->at.dir, .opts = &o};
	int rc, code = 0, out = openat(r->at.fd, "criu.out", O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

	snprintf(images, sizeof(images), "%s/images", r->at.dir);
	snprintf(port, sizeof(port), "%u", r->port);
	if (strv_push(&o.page_server_address, r->host) || strv_push(&o.page_server_port, port) ||
	    criu_argv_page_server(&req, PS_LOG, &argv) < 0) {
		close(out);
		criu_opts_free(&o);
		strv_free(&argv);
		return cli_oom(c);
	}
	rc = supervisor_run(&(struct sup_spec){.argv = argv.v,
					       .timeout = r->timeout,
					       .new_session = 1,
					       .output_fd = out,
					       .keep_fd = -1,
					       .log_dirfd = r->at.fd,
					       .log_name = PS_LOG,
					       .hook_fd = -1,
					       .on_tick = on_tick,
					       .arg = r},
			    &res, &c->err);
	if (rc < 0)
		code = c->err.exit_code;
	else if (r->sender_gone)
		code = sender_aborted(c);
	else if (!res.end.exited || res.end.exit_status || res.esc.reason != ESC_NONE) {
		code = page_server_failed(c, r, &res);
		store_keep_failed(&c->store, &r->at, &(struct cc_err){0});
		r->have_attempt = 0;
	}
	if (rc == 0)
		sup_result_free(&res);
	if (out >= 0)
		close(out);
	criu_opts_free(&o);
	strv_free(&argv);
	return code;
}

/* One FILE message's bytes, into images/ or (manifest.json) beside it. */
static int take_file(struct cli *c, struct receive *r, int imfd, const struct mig_msg *m)
{
	int dir = strcmp(m->name, "manifest.json") == 0 ? r->at.fd : imfd;

	if (++r->files > MAX_FILES)
		return err_set(&c->err, CC_EXIT_ENV, "protocol-error",
			       "more than %d files from the sender", MAX_FILES),
		       CC_EXIT_ENV;
	if (net_recv_file(r->conn, dir, m->name, m->size, r->timeout) < 0)
		return err_sys(&c->err, CC_EXIT_ENV,
			       errno == EEXIST ? "protocol-error" : "sender-lost", errno,
			       "receive %s (%llu bytes)", m->name, (unsigned long long)m->size),
		       c->err.exit_code;
	r->bytes += m->size;
	return 0;
}

static int bad_message(struct cli *c, int code, const char *what)
{
	if (code == CC_EXIT_ENV)
		err_set(&c->err, CC_EXIT_ENV, "protocol-error",
			"from the sender: '%.200s' (FILE, RESTORE or ABORT?)", what);
	else
		err_set(&c->err, CC_EXIT_CRIU_FAILED, "sender-aborted", "%s", what);
	return code;
}

int receive_images(struct cli *c, struct receive *r)
{
	char line[MIG_LINE_MAX];
	struct mig_msg m;
	int imfd = openat(r->at.fd, "images", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int code = 0;

	if (imfd < 0)
		return err_sys(&c->err, CC_EXIT_STORE, "store-io", errno, "%s/images", r->at.dir),
		       CC_EXIT_STORE;
	while (code == 0) {
		if (net_read_line(r->conn, line, sizeof(line), r->timeout) < 0) {
			err_sys(&c->err, errno == ETIMEDOUT ? CC_EXIT_TIMEOUT : CC_EXIT_ENV,
				"sender-lost", errno, "the sender, before it asked to restore");
			code = c->err.exit_code;
			break;
		}
		migrate_parse_msg(line, &m);
		if (m.kind == MIG_RESTORE)
			break;
		if (m.kind == MIG_FILE)
			code = take_file(c, r, imfd, &m);
		else if (m.kind == MIG_ABORT)
			code = bad_message(c, CC_EXIT_CRIU_FAILED,
					   "the sender's dump failed: nothing to restore");
		else
			code = bad_message(c, CC_EXIT_ENV, line);
	}
	close(imfd);
	return code;
}

int receive_commit(struct cli *c, struct receive *r)
{
	struct manifest m;
	char why[256], *text = NULL;
	size_t len;
	int rc;

	memset(&m, 0, sizeof(m));
	if (fs_read_at(r->at.fd, "manifest.json", 16u << 20, &text, &len) < 0)
		return err_sys(&c->err, CC_EXIT_ENV, "protocol-error", errno,
			       "the sender sent no manifest.json"),
		       CC_EXIT_ENV;
	rc = manifest_from_json(text, len, &m, why, sizeof(why));
	free(text);
	unlinkat(r->at.fd, "manifest.json", 0);
	if (rc < 0)
		return err_set(&c->err, CC_EXIT_ENV, "manifest-invalid",
			       "the sender's manifest.json: %s", why),
		       CC_EXIT_ENV;
	/* The source sealed its images without the pages, which came here:
	 * this store seals what it holds. */
	snprintf(m.name, sizeof(m.name), "%s", r->ckname);
	free(m.files);
	m.files = NULL;
	m.n_files = 0;
	m.sealed = 0;
	rc = checkpoint_commit(&c->store, &r->at, &m, 0, &c->err);
	if (rc == 0) {
		store_release(&r->at);
		r->have_attempt = 0;
	}
	manifest_free(&m);
	return rc < 0 ? c->err.exit_code : 0;
}

int receive_restore(struct cli *c, struct receive *r)
{
	char cmd[] = "restore", *argv[] = {cmd, r->ckname, NULL};
	char line[64];
	json_t *pid;
	struct cc_err e;
	int code;

	/* restore opens the store again, as a command of its own does. */
	store_close(&c->store);
	code = cmd_restore(c, 2, argv);
	pid = json_object_get(c->out, "pid");
	if (code == 0 && json_is_integer(pid)) {
		snprintf(line, sizeof(line), "RUNNING %lld\n", (long long)json_integer_value(pid));
		net_write_all(r->conn, line, strlen(line));
		json_object_set_new(c->out, "files", json_integer((json_int_t)r->files));
		json_object_set_new(c->out, "bytes_received", json_integer((json_int_t)r->bytes));
		return 0;
	}
	/* Nothing runs: the checkpoint goes (criu's log stays in failed/). */
	if (c->store.fd >= 0 && store_remove(&c->store, r->ckname, &e) < 0)
		cli_say(c, "criuctl: cannot remove checkpoint '%s': %s", r->ckname, e.msg);
	return code ? code : CC_EXIT_ENV;
}
