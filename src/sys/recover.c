/* recover: see recover.h. */
#include "recover.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "commit.h"
#include "cleanup.h"
#include "criu_log.h"
#include "fsutil.h"
#include "guardian.h"
#include "jsonutil.h"
#include "outcome.h"
#include "verdict.h"

#define TAIL (64 * 1024) /* criu's verdict is in its last lines */

/* The attempt of tmp/<entry> ("NAME.XXXXXXXX"); -1 when it is not one. */
static int attempt_of(struct store *s, const char *entry, int fd, struct attempt *at)
{
	const char *dot = strrchr(entry, '.');
	struct stat st;

	memset(at, 0, sizeof(*at));
	at->fd = fd;
	at->name_lock = -1;
	if (!dot || (size_t)(dot - entry) > NAME_MAX_LEN)
		return -1;
	snprintf(at->name, sizeof(at->name), "%.*s", (int)(dot - entry), entry);
	snprintf(at->tmpname, sizeof(at->tmpname), "%s", entry);
	snprintf(at->dir, sizeof(at->dir), "%s/tmp/%s", s->root, entry);
	at->kind = fstatat(fd, "images", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)
			   ? ATTEMPT_DUMP
			   : ATTEMPT_RESTORE;
	return name_valid(at->name) ? 0 : -1;
}

/* One line of what was done, for the command to say ("NAME: what"). */
static void note(struct store *s, const char *name, const char *what, const char *arg)
{
	strv_pushf(&s->recovered, "%s: %s%s", name, what, arg);
}

/* The note criuctl-guard left in the attempt (guardian.h), or NULL. */
static json_t *guard_note(const struct attempt *at)
{
	cleanup_free char *text = NULL;
	size_t len;
	json_t *note = NULL;

	if (fs_read_at(at->fd, GUARD_NOTE, 1 << 20, &text, &len) == 0)
		note = json_loadb(text, len, 0, NULL);
	return json_is_object(note) ? note : (json_decref(note), NULL);
}

/* Why criu ended, by the guard's note: "stall", "deadline", or "none"
 * when criu ended by itself (or there is no note). */
static const char *guard_reason(json_t *note)
{
	const char *r = json_string_value(json_object_get(note, "stopped_by"));

	return r ? r : "none";
}

/* The guard's words, first of the evidence: what it saw and did. */
static void guard_evidence(json_t *note, struct strv *evidence)
{
	if (!note)
		return;
	if (strcmp(guard_reason(note), "none") == 0)
		strv_pushf(evidence, "criuctl-guard: criu ended by itself %.1f s after it started",
			   json_number_value(json_object_get(note, "elapsed_s")));
	else
		strv_pushf(
			evidence,
			"criuctl-guard: stopped criu (%s) %.1f s after it started, %.1f s after "
			"its last log line%s",
			guard_reason(note), json_number_value(json_object_get(note, "elapsed_s")),
			json_number_value(json_object_get(note, "idle_s")),
			json_is_true(json_object_get(note, "criu_killed")) ? "; SIGKILL was needed"
									   : "");
}

/* A report.json for an attempt criu was left alone with. */
static void write_abandoned(const struct attempt *at, const char *log, size_t len, json_t *note)
{
	cleanup_strv struct strv evidence = {0};
	cleanup_json json_t *report = NULL;
	cleanup_free char *text = NULL;

	const struct verdict_row *row = verdict_row(V_ABANDONED);

	guard_evidence(note, &evidence);
	criu_log_decisive(log, len, 5, &evidence);
	report = json_pack("{s:s, s:s, s:{s:s, s:s, s:s, s:o}, s:b, s:s, s:O?}", "name", at->name,
			   "action", at->kind == ATTEMPT_DUMP ? "dump" : "restore", "verdict", "id",
			   row->id, "title", row->title, "remedy", row->remedy, "evidence",
			   json_strv(&evidence), row->id, 1, /* abandoned: true */
			   "stopped_by", guard_reason(note), "guard", note);
	text = report ? json_dumps(report, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	if (text)
		fs_write_at(at->fd, "report.json", text, strlen(text), 0600);
}

static void keep_abandoned(struct store *s, struct attempt *at, const char *log, size_t len)
{
	cleanup_json json_t *gn = guard_note(at);
	const char *why = guard_reason(gn);
	struct cc_err e;

	write_abandoned(at, log, len, gn);
	if (store_keep_failed(s, at, &e) < 0)
		;
	else if (strcmp(why, "none") != 0)
		strv_pushf(&s->recovered,
			   "%s: criuctl ended before criu did, and criu was stuck: criuctl-guard "
			   "stopped it (%s); its logs are kept in %s",
			   at->name, why, at->dir);
	else
		note(s, at->name, "criuctl ended before criu did; its logs are kept in ", at->dir);
}

/* A dump criuctl had decided to commit: commit it now. */
static void commit_decided(struct store *s, struct attempt *at, struct manifest *m)
{
	char stamp[32], from[NAME_MAX_LEN + 1];
	struct cc_err e;

	manifest_format_time(stamp, sizeof(stamp), (long long)time(NULL));
	snprintf(from, sizeof(from), "%s", m->name);
	snprintf(m->recovered, sizeof(m->recovered),
		 "committed at %s by criuctl pid %d from tmp/: the criuctl that ran the dump "
		 "ended (killed?) after criu had checkpointed the tree",
		 stamp, (int)getpid());
	if (checkpoint_commit(s, at, m, 1, &e) < 0) {
		note(s, from, "could not commit the complete dump found in tmp/: ", e.msg);
		return;
	}
	note(s, from,
	     "criuctl ended after criu had checkpointed the tree; committed as checkpoint ",
	     m->name);
}

static void resolve_dump(struct store *s, struct attempt *at, const char *log, size_t len)
{
	struct manifest m;
	struct cc_err e;
	struct run_facts f = {.complete_at_ask = 1,
			      .log_succeeded = criu_log_succeeded(log, len),
			      .log_failed = criu_log_failed(log, len)};

	f.committed = store_read_manifest(at->fd, &m, &e) == 0;
	if (f.committed && outcome_of(&f) != OUTCOME_FAILED)
		commit_decided(s, at, &m);
	else
		keep_abandoned(s, at, log, len);
	if (f.committed)
		manifest_free(&m);
}

/* A restore criu finished: its log goes with the checkpoint. */
static void resolve_restore(struct store *s, struct attempt *at, const char *log, size_t len)
{
	struct cc_err e;
	int ck = store_open_checkpoint(s, at->name, &e);

	if (!criu_log_succeeded(log, len) || ck < 0) {
		if (ck >= 0)
			close(ck);
		keep_abandoned(s, at, log, len);
		return;
	}
	if (renameat(at->fd, "restore.log", ck, "restore.log") == 0)
		note(s, at->name,
		     "criu finished a restore after criuctl ended; its log is kept with "
		     "the checkpoint",
		     "");
	close(ck);
	store_abort(s, at);
}

void recover_attempt(struct store *s, const char *entry, int fd)
{
	struct attempt at;
	struct cc_err e;
	cleanup_free char *log = NULL;
	ssize_t n;

	if (attempt_of(s, entry, fd, &at) < 0) {
		close(fd);
		fs_rmtree_at(s->tmp_fd, entry);
		return;
	}
	at.name_lock = store_lock_name(s, at.name, &e);
	if (at.name_lock < 0) { /* another criuctl works on that name: later */
		close(fd);
		return;
	}
	log = malloc(TAIL);
	n = log ? fs_read_tail_at(fd, at.kind == ATTEMPT_DUMP ? "dump.log" : "restore.log", log,
				  TAIL)
		: -1;
	if (n <= 0)
		store_abort(s, &at); /* criu never wrote a line: nothing to keep */
	else if (at.kind == ATTEMPT_DUMP)
		resolve_dump(s, &at, log, (size_t)n);
	else
		resolve_restore(s, &at, log, (size_t)n);
	store_release(&at);
}
