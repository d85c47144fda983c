/*
 * cmd_list: the checkpoints in the store, one line each; --failed lists the
 * kept failed attempts with their verdicts.  A damaged entry (manifest
 * missing or invalid) is listed as such, never a reason to fail.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "cli.h"
#include "options.h"
#include "text.h"
#include "fsutil.h"
#include "jsonutil.h"
#include "manifest.h"
#include "proc_parse.h"

static const struct cli_opt list_opts[] = {
	{"failed", 0, NULL, "the kept failed attempts instead", 0},
	{NULL, 0, NULL, NULL, 0},
};

static int list_option(struct cli *c, int id, const char *arg, void *ctx)
{
	(void)c, (void)id, (void)arg;
	*(int *)ctx = 1;
	return -1;
}

/* The root's command line as one line (its comm when it has none). */
static void command_line(const struct manifest *m, char *dst, size_t size)
{
	const struct manifest_proc *p = m->n_procs ? &m->procs[0] : NULL;

	dst[0] = '\0';
	if (p)
		proc_parse_cmdline(p->cmdline, p->cmdline_len, dst, size);
	if (p && !dst[0])
		snprintf(dst, size, "%s", p->comm);
}

/* One checkpoint's row as JSON; damaged entries get status "damaged" (a
 * manifest of a newer format: "newer"), one a later criuctl committed from
 * tmp/ (recover.h) "recovered".  An entry's name is whatever the directory
 * holds: any bytes.  The command, exactly as the root's argv ("argv",
 * "argv_base64": cmdline.h), is also pushed, as a line, on lines: the
 * table escapes the bytes themselves, not their JSON form. */
static json_t *checkpoint_row(struct store *s, const char *name, struct strv *lines)
{
	static char line[CMDLINE_MAX];
	struct manifest m;
	struct cc_err e = {0};
	cleanup_close int fd = store_open_checkpoint(s, name, &e);
	json_t *row;

	if (fd < 0 || store_read_manifest(fd, &m, &e) < 0) {
		row = json_pack("{s:o, s:s, s:o}", "name", json_text(name), "status",
				strcmp(e.code, "manifest-too-new") ? "damaged" : "newer", "problem",
				json_text(e.msg));
		strv_push(lines, e.msg);
	} else {
		command_line(&m, line, sizeof(line));
		row = json_pack("{s:o, s:s, s:i, s:o}", "name", json_text(name), "created",
				m.created, "root_pid", m.root_pid, "command", json_text(line));
		if (row && m.n_procs)
			cmdline_to_json(row, NULL, m.procs[0].cmdline, m.procs[0].cmdline_len);
		json_object_set_new(row, "images_bytes", json_integer((json_int_t)m.images_bytes));
		json_object_set_new(row, "status",
				    json_string(m.recovered[0] ? "recovered" : "ok"));
		strv_push(lines, line);
		manifest_free(&m);
	}
	return row;
}

static json_t *failed_row(struct store *s, const char *entry)
{
	cleanup_free char *text = NULL;
	size_t len;
	cleanup_close int fd =
		openat(s->failed_fd, entry, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	cleanup_json json_t *report = NULL;
	json_t *row;

	if (fd >= 0 && fs_read_at(fd, "report.json", 16u << 20, &text, &len) == 0)
		report = json_loadb(text, len, 0, NULL);
	row = json_pack(
		"{s:o, s:s, s:s?, s:s?, s:s?}", "name", json_text(entry), "status", "failed",
		"action", json_string_value(json_object_get(report, "action")), "verdict",
		json_string_value(json_object_get(json_object_get(report, "verdict"), "id")),
		"stopped_by", json_string_value(json_object_get(report, "stopped_by")));
	return row;
}

static const char *field(json_t *row, const char *key)
{
	const char *v = json_string_value(json_object_get(row, key));

	return v ? v : "-";
}

/* The table's last column: the command, or what is wrong with the entry,
 * escaped (text.h).  Long commands are cut in the table; --json has them
 * whole. */
#define COMMAND_WIDTH 48

static void print_row(json_t *row, const char *raw_name, const char *tail)
{
	char size[32], name[256], created[128], cut[COMMAND_WIDTH + 1], whole[COMMAND_WIDTH + 2];

	text_human_size(
		size, sizeof(size),
		(unsigned long long)json_integer_value(json_object_get(row, "images_bytes")));
	/* Each field is escaped once, here: printf, not cli_print(). */
	text_escape(tail, cut, sizeof(cut));
	text_escape(tail, whole, sizeof(whole));
	printf("%-40s %-20s %7lld %10s %-8s %s%s\n", text_escape(raw_name, name, sizeof(name)),
	       text_escape(field(row, "created"), created, sizeof(created)),
	       (long long)json_integer_value(json_object_get(row, "root_pid")), size,
	       field(row, "status"), cut, strcmp(cut, whole) ? "..." : "");
}

/* The rows, with the entries' names (names) and the commands (lines) as
 * their bytes, escaped once: their JSON form has \xHH for bytes that are
 * not UTF-8 already (jsonutil.h). */
static void print_rows(json_t *rows, int failed, const struct strv *names, const struct strv *lines)
{
	size_t i;
	json_t *row;

	if (failed)
		printf("%-40s %-8s %s\n", "NAME", "ACTION", "VERDICT");
	else
		printf("%-40s %-20s %7s %10s %-8s %s\n", "NAME", "CREATED", "PID", "SIZE", "STATUS",
		       "COMMAND");
	json_array_foreach (rows, i, row) {
		if (failed) {
			cli_print(stdout, "%-40s %-8s %s", names->v[i], field(row, "action"),
				  field(row, "verdict"));
			continue;
		}
		print_row(row, names->v[i], i < lines->n ? lines->v[i] : "");
	}
}

int cmd_list(struct cli *c, int argc, char **argv)
{
	struct strv names = {0}, lines = {0};
	int failed = 0;
	json_t *rows;

	int rc = cli_parse_options(c, argc, argv,
				   &(struct cli_parse){.cmd = "list",
						       .synopsis = "criuctl list [--failed]",
						       .own = list_opts,
						       .fn = list_option,
						       .ctx = &failed});

	if (rc >= 0)
		return rc;
	if (optind < argc)
		return cli_usage(c, "list", "unexpected argument '%s'", argv[optind]);
	if (cli_store(c, STORE_READ) < 0)
		return c->err.exit_code;
	if (store_names(&c->store, failed, &names, &c->err) < 0)
		return c->err.exit_code;
	rows = json_array();
	for (size_t i = 0; i < names.n; i++)
		json_array_append_new(rows, failed ? failed_row(&c->store, names.v[i])
						   : checkpoint_row(&c->store, names.v[i], &lines));
	if (!c->json)
		print_rows(rows, failed, &names, &lines);
	strv_free(&names);
	strv_free(&lines);
	json_object_set_new(c->out, failed ? "failed" : "checkpoints", rows);
	return 0;
}
