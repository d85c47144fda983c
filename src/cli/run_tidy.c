/*
 * run_tidy: what criu leaves on the tree when it does not finish, undone
 * (tidy.h does it, this says it and records it in report.json's "tidy").
 * A dump's TCP sockets in repair mode and its network lock; a restore's
 * half-made tasks, killed while criu still holds them, or found by their
 * pids and start times when criu ended by itself.
 */
#include <stdlib.h>
#include <string.h>

#include "proc.h"
#include "run_criu_int.h"
#include "tidy.h"

/* Append the entries of sv to the array key of r->tidy. */
static void tidy_record(struct criu_run *r, const char *key, const struct strv *sv)
{
	json_t *a;

	if (!sv->n)
		return;
	if (!r->tidy)
		r->tidy = json_pack("{s:[], s:[], s:[], s:[]}", "repaired", "unlocked", "killed",
				    "failed");
	a = json_object_get(r->tidy, key);
	for (size_t i = 0; a && i < sv->n; i++)
		json_array_append_new(a, json_string(sv->v[i]));
}

/* Say what was undone, and record it in r->tidy. */
static void tidy_report(struct criu_run *r, const struct tidy_result *t)
{
	if (t->repaired.n)
		cli_say(r->cli,
			"criuctl: criu left %zu TCP socket%s of the tree in repair mode (%s%s): "
			"took %s out of it",
			t->repaired.n, t->repaired.n == 1 ? "" : "s", t->repaired.v[0],
			t->repaired.n > 1 ? ", ..." : "", t->repaired.n == 1 ? "it" : "them");
	for (size_t i = 0; i < t->unlocked.n; i++)
		cli_say(r->cli, "criuctl: criu left its network lock (%s%s): removed it",
			strncmp(t->unlocked.v[i], "iptables", 8) ? "nftables table " : "",
			t->unlocked.v[i]);
	if (t->killed.n)
		cli_say(r->cli, "criuctl: criu left %zu half-restored task%s (%s%s): killed %s",
			t->killed.n, t->killed.n == 1 ? "" : "s", t->killed.v[0],
			t->killed.n > 1 ? ", ..." : "", t->killed.n == 1 ? "it" : "them");
	for (size_t i = 0; i < t->failed.n; i++)
		cli_say(r->cli, "criuctl: could not undo what criu left: %s", t->failed.v[i]);
	tidy_record(r, "repaired", &t->repaired);
	tidy_record(r, "unlocked", &t->unlocked);
	tidy_record(r, "killed", &t->killed);
	tidy_record(r, "failed", &t->failed);
}

/* Undo what criu left on the dumped tree (tidy.h).  The run id comes from
 * the head of criu's log, read from the file: criu may still hold it. */
void run_tidy_dumped(struct criu_run *r)
{
	char run_id[64];
	struct tidy_result t;

	tidy_run_id_at(r->at->fd, r->log_name, run_id, sizeof(run_id));
	tidy_tree(r->tree, r->tree_n, run_id, strv_contains(&r->argv, "--network-lock=iptables"),
		  &t);
	tidy_report(r, &t);
	tidy_result_free(&t);
}

/* A restore stopped half-way: the tasks criu was making (its descendants)
 * are killed while criu still holds them, before they run a moment on half
 * their memory; those that could not be signalled are looked at again once
 * criu has ended (tidy_restored() keeps only them). */
static void end_spawned(struct criu_run *r)
{
	struct tidy_result t;
	int *kids = NULL;
	size_t n = 0;

	if (r->criu_pid <= 0 || proc_descendants(r->criu_pid, &kids, &n) < 0 || !n) {
		free(kids);
		return;
	}
	proc_identities(kids, n, &r->spawned, &r->spawned_n);
	free(kids);
	tidy_restored(r->spawned, &r->spawned_n, &t);
	tidy_report(r, &t);
	tidy_result_free(&t);
}

/* A restore whose criu ended by itself without finishing: killed from
 * outside (SIGKILL, the OOM killer) or crashed, it leaves the tasks it was
 * making running its restorer, forever asleep and holding the checkpoint's
 * pids; they are no longer its descendants.  Every task that holds a pid
 * of the checkpoint and was created after criu started is one of them (a
 * holder from before, with --force, is not). */
static void end_leftovers(struct criu_run *r)
{
	struct manifest_proc *made = calloc(r->needs_n ? r->needs_n : 1, sizeof(*made));
	size_t n = 0;
	struct tidy_result t;

	for (size_t i = 0; made && !r->own_pidns && r->started && i < r->needs_n; i++) {
		struct proc_stat st;

		if (proc_stat(r->needs[i].pid, &st) == 0 && st.starttime >= r->started)
			made[n++] =
				(struct manifest_proc){.pid = st.pid, .starttime = st.starttime};
	}
	if (n) {
		tidy_restored(made, &n, &t);
		tidy_report(r, &t);
		tidy_result_free(&t);
	}
	free(made);
}

void run_tidy_after(struct criu_run *r)
{
	if (strcmp(r->action, "restore") != 0) {
		run_tidy_dumped(r);
	} else if (r->res.esc.reason == ESC_NONE) {
		end_leftovers(r);
	} else if (r->spawned_n) {
		struct tidy_result t;

		tidy_restored(r->spawned, &r->spawned_n, &t);
		tidy_report(r, &t);
		tidy_result_free(&t);
	}
}

/* criu is stopped (SIGSTOP) and still holds the tree: tidy before it ends,
 * so that no task of the tree runs a moment with a socket in repair mode. */
void run_on_freeze(void *arg)
{
	struct criu_run *r = arg;

	if (strcmp(r->action, "restore") == 0)
		end_spawned(r);
	else
		run_tidy_dumped(r);
}
