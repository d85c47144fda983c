/*
 * doctor_target: the rules about the tree to checkpoint (doctor.h,
 * doctor_target()): its session, the states of its tasks, its resources,
 * namespaces, the space its images need, and what an earlier criu left on
 * it.  The rules about the environment are doctor.c's.
 */
#include "doctor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "kata.h"
#include "verdict.h"

static int check_session(const struct target_facts *f, struct findings *out)
{
	const struct target_task *root = &f->tasks[0];

	/* Kata 2.5.0-4.0.x start a container's init without a terminal in
	 * kata-agent's session (setsid only when process.terminal, agent
	 * commit 2c218a07b9); 4.1.0 calls setsid always (PR 13463). */
	if (root->sid_inner == 0 && strcmp(root->sid_comm, KATA_AGENT_COMM) == 0)
		return findings_add(out, verdict_row(V_KATA_AGENT_SESSION)->id, LEVEL_FAIL,
				    verdict_row(V_KATA_AGENT_SESSION)->remedy,
				    "the session leader of %d (%s) is kata-agent (pid %d), outside "
				    "the container's pid namespace: Kata 2.5 to 4.0 start a "
				    "container without a terminal in the agent's session, and CRIU "
				    "cannot dump it, with or without --shell-job",
				    root->pid, root->comm, root->sid);
	if (root->sid_inner == 0)
		return findings_add(out, "session-leader-outside-pidns", LEVEL_FAIL,
				    "Start the workload with 'criuctl run' (it calls setsid), or "
				    "make the container's init a session leader.",
				    "the session leader of %d (%s) is outside its pid namespace: "
				    "CRIU cannot dump it, with or without --shell-job",
				    root->pid, root->comm);
	if (!f->sid_in_tree)
		return findings_add(out, "shell-job-needed", LEVEL_WARN,
				    "Dump and restore with --shell-job, or start the workload "
				    "with 'criuctl run'.",
				    "the session leader of %d (session %d) is not in the tree",
				    root->pid, root->sid);
	return findings_add(out, "session", LEVEL_OK, NULL,
			    "the tree has its own session (leader %d)", root->sid);
}

/* One finding per task in a state CRIU cannot (or should not) seize. */
static int check_states(const struct target_facts *f, struct findings *out)
{
	int rc = 0;

	for (size_t i = 0; i < f->n && rc == 0; i++) {
		const struct target_task *t = &f->tasks[i];

		if (t->state == 'D')
			rc = findings_add(
				out, "task-uninterruptible", LEVEL_FAIL,
				"Wait until it leaves D state (a vfork child must exec "
				"or exit); CRIU cannot seize it.",
				"task %d (%s) is in uninterruptible sleep (state D%s%s)%s", t->pid,
				t->comm, t->wchan[0] ? ", " : "", t->wchan,
				strstr(t->wchan, "clone") || strstr(t->wchan, "vfork")
					? ": probably a vfork parent"
					: "");
		else if (t->tracer > 0)
			rc = findings_add(out, "task-traced", LEVEL_FAIL,
					  "Detach the debugger or tracer first.",
					  "task %d (%s) is traced by pid %d", t->pid, t->comm,
					  t->tracer);
		else if (t->state == 'T' || t->state == 't')
			rc = findings_add(out, "task-stopped", LEVEL_WARN,
					  "It is dumped stopped and restored stopped; continue it "
					  "first if that is not wanted.",
					  "task %d (%s) is stopped", t->pid, t->comm);
		else if (t->state == 'Z')
			rc = findings_add(out, "task-zombie", LEVEL_WARN,
					  "Its parent should reap it; CRIU dumps zombies as "
					  "zombies.",
					  "task %d (%s) is a zombie", t->pid, t->comm);
	}
	return rc;
}

/* Resources that need a criu flag: one finding per kind, summed over the tree. */
static int check_resources(const struct target_facts *f, struct findings *out)
{
	size_t tcp = 0, unix_ext = 0, locks = 0, tty = 0;

	for (size_t i = 0; i < f->n; i++) {
		tcp += f->tasks[i].tcp_established;
		unix_ext += f->tasks[i].unix_ext_peer;
		locks += f->tasks[i].locks;
		tty += f->tasks[i].tty_nr != 0;
	}
	if (tcp && findings_add(out, "tcp-established", LEVEL_WARN, "Dump with --tcp-established.",
				"%zu established TCP connection%s", tcp, tcp == 1 ? "" : "s") < 0)
		return -1;
	if (unix_ext && findings_add(out, "ext-unix-sk", LEVEL_WARN, "Dump with --ext-unix-sk.",
				     "%zu unix socket%s connected to a peer outside the tree",
				     unix_ext, unix_ext == 1 ? "" : "s") < 0)
		return -1;
	if (locks && findings_add(out, "file-locks", LEVEL_WARN, "Dump with --file-locks.",
				  "%zu file lock%s held", locks, locks == 1 ? "" : "s") < 0)
		return -1;
	if (tty && f->sid_in_tree && f->tasks[0].tty_nr &&
	    findings_add(out, "controlling-tty", LEVEL_WARN,
			 "Dump with --shell-job, or start the workload with 'criuctl run'.",
			 "%zu task%s of the tree ha%s a controlling terminal", tty,
			 tty == 1 ? "" : "s", tty == 1 ? "s" : "ve") < 0)
		return -1;
	return 0;
}

static int check_namespaces(const struct target_facts *f, struct findings *out)
{
	if (f->mntns_differs && f->n_ext &&
	    findings_add(out, "external-mount", LEVEL_WARN,
			 "Dump with --external 'mnt[PATH]:KEY' for each (auto flags name them and "
			 "record where they come from, so restore maps them back).",
			 "%zu mount%s of the tree come%s from outside its mount namespace: %s%s",
			 f->n_ext, f->n_ext == 1 ? "" : "s", f->n_ext == 1 ? "s" : "",
			 f->ext[0].point, f->n_ext > 1 ? ", ..." : "") < 0)
		return -1;
	if (f->pidns_differs && f->pidns_others.n &&
	    findings_add(
		    out, "pidns-outsiders", LEVEL_WARN,
		    "They are not dumped, and when the dump ends the tree (no --leave-running) "
		    "the kernel ends them with it: finish them first (e.g. a 'kata-runtime "
		    "exec' session), or dump with --leave-running.",
		    "%zu process%s share%s the tree's pid namespace but not the tree "
		    "(joined from outside): %s%s",
		    f->pidns_others.n, f->pidns_others.n == 1 ? "" : "es",
		    f->pidns_others.n == 1 ? "s" : "", f->pidns_others.v[0],
		    f->pidns_others.n > 1 ? ", ..." : "") < 0)
		return -1;
	return 0;
}

static int check_space(const struct target_facts *f, struct findings *out)
{
	double need = (double)f->rss / (1 << 20), have = (double)f->store_free / (1 << 20);

	if (!f->store_free_known)
		return 0;
	if (f->rss > f->store_free)
		return findings_add(out, "no-space", LEVEL_FAIL,
				    "Free space in the store, or use a larger --store.",
				    "the tree's memory (%.1f MiB) does not fit the store's free "
				    "space (%.1f MiB)",
				    need, have);
	return findings_add(out, "space", LEVEL_OK, NULL,
			    "the tree's memory (%.1f MiB) fits the store (%.1f MiB free)", need,
			    have);
}

/* A criu that was killed mid-dump (not by criuctl, which undoes this). */
static int check_leftovers(const struct target_facts *f, struct findings *out)
{
	if (f->repair_left.n &&
	    findings_add(out, "tcp-repair-left", LEVEL_WARN,
			 "A criu killed mid-dump left them so (criuctl undoes this when it stops "
			 "criu): restart the workload, or restore it from a checkpoint.",
			 "%zu TCP socket%s of the tree %s in repair mode (%s%s): every recv() on "
			 "%s fails with EPERM",
			 f->repair_left.n, f->repair_left.n == 1 ? "" : "s",
			 f->repair_left.n == 1 ? "is" : "are", f->repair_left.v[0],
			 f->repair_left.n > 1 ? ", ..." : "",
			 f->repair_left.n == 1 ? "it" : "them") < 0)
		return -1;
	if (f->locks_left.n) {
		char remedy[160];

		snprintf(remedy, sizeof(remedy), "Remove it: nsenter -t %d -n nft delete table %s",
			 f->root, f->locks_left.v[0]);
		return findings_add(out, "criu-lock-left", LEVEL_WARN, remedy,
				    "the tree's network namespace holds criu's network lock (%s), "
				    "left by a criu that did not finish: its traffic is dropped",
				    f->locks_left.v[0]);
	}
	return 0;
}

int doctor_target(const struct target_facts *f, struct findings *out)
{
	if (f->n == 0)
		return findings_add(out, "no-such-process", LEVEL_FAIL,
				    "Check the pid: the process may have exited.",
				    "process %d does not exist", f->root);
	if (findings_add(out, "tree", LEVEL_OK, NULL, "tree %d (%s): %zu process%s", f->root,
			 f->tasks[0].comm, f->n, f->n == 1 ? "" : "es") < 0 ||
	    check_session(f, out) < 0 || check_states(f, out) < 0 || check_resources(f, out) < 0 ||
	    check_namespaces(f, out) < 0 || check_leftovers(f, out) < 0)
		return -1;
	return check_space(f, out);
}
