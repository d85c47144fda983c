/* commit: see commit.h. */
#include "commit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "criu_log.h"
#include "fsutil.h"
#include "seal.h"

static int write_manifest(int at_fd, const struct manifest *m, int durable, struct cc_err *e)
{
	json_t *json = manifest_to_json(m);
	char *text = json ? json_dumps(json, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	int rc = !text	   ? -1
		 : durable ? fs_write_at(at_fd, "manifest.json", text, strlen(text), 0600)
			   : fs_put_at(at_fd, "manifest.json", text, strlen(text), 0600);

	if (rc < 0)
		err_sys(e, CC_EXIT_STORE, "store-io", text ? errno : ENOMEM, "write manifest of %s",
			m->name);
	free(text);
	json_decref(json);
	return rc;
}

/* criu writes images and stats 0644; they hold process memory. */
static int seal(int at_fd, struct manifest *m, struct cc_err *e)
{
	fs_chmod_tree_at(at_fd, ".", 0600);
	free(m->files);
	m->files = NULL;
	m->n_files = 0;
	if (seal_files(at_fd, seal_dirs, &m->files, &m->n_files, &m->images_bytes, e) < 0)
		return -1;
	m->sealed = 1;
	return 0;
}

int checkpoint_decide(int at_fd, struct manifest *m, int seal_now, struct cc_err *e)
{
	if (seal_now && seal(at_fd, m, e) < 0)
		return -1;
	return write_manifest(at_fd, m, 0, e);
}

/* What criu wrote after it asked: its statistics (in the work directory,
 * not the images) and its version (the head of its log). */
static void read_criu_results(int at_fd, struct manifest *m)
{
	char head[4096];
	ssize_t n = fs_read_head_at(at_fd, "dump.log", head, sizeof(head));
	char *buf;
	size_t len;

	memset(&m->stats, 0, sizeof(m->stats));
	if (fs_read_at(at_fd, "stats-dump", 1 << 16, &buf, &len) == 0) {
		stats_decode((const unsigned char *)buf, len, &m->stats);
		free(buf);
	}
	if (n > 0 && !m->criu_version[0])
		criu_log_version(head, (size_t)n, m->criu_version, sizeof(m->criu_version));
}

/* Another name for a recovered checkpoint whose name was taken meanwhile:
 * "NAME.recovered", then "NAME.recovered-2", ..., cut to fit. */
static void next_name(char *dst, size_t size, const char *base, int i)
{
	char tail[24];

	if (i == 1)
		snprintf(tail, sizeof(tail), ".recovered");
	else
		snprintf(tail, sizeof(tail), ".recovered-%d", i);
	snprintf(dst, size, "%.*s%s", (int)(NAME_MAX_LEN - strlen(tail)), base, tail);
}

int checkpoint_commit(struct store *s, struct attempt *at, struct manifest *m, int alt_name,
		      struct cc_err *e)
{
	char name[NAME_MAX_LEN + 1];

	read_criu_results(at->fd, m);
	if (!m->sealed && seal(at->fd, m, e) < 0)
		return -1;
	/* stats-dump came after the seal: private too. */
	fs_chmod_tree_at(at->fd, ".", 0600);
	snprintf(name, sizeof(name), "%s", m->name);
	for (int i = 1;; i++) {
		if (write_manifest(at->fd, m, 1, e) < 0)
			return -1;
		snprintf(at->name, sizeof(at->name), "%s", m->name);
		if (store_commit(s, at, e) == 0)
			return 0;
		if (!alt_name || strcmp(e->code, "name-exists") != 0 || i > 99)
			return -1;
		next_name(m->name, sizeof(m->name), name, i);
	}
}
