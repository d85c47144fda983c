/*
 * doctor: rules.  The known criu/kernel incompatibilities were measured on
 * these machines (GUEST-NOTES): criu 3.17 dies at start-up on kernel 6.18
 * ("vdso: Unexpected rt vDSO area bounds"), 4.1.1 fails on any TCP socket
 * (SO_PASSCRED refused on TCP), 4.2.1 works.
 */
#include "doctor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "kata.h"
#include "verdict.h"

#define CAP_NET_ADMIN	 12
#define CAP_SYS_PTRACE	 19
#define CAP_SYS_ADMIN	 21
#define CAP_SYS_RESOURCE 24
#define LOW_SPACE	 (1ULL << 30)

long version_number(const char *v)
{
	long part[3] = {0, 0, 0};

	/* Up to three digits a part, no sign, no space (strtol takes both): a
	 * negative part, or one that overflows the encoding (or long), would
	 * compare as nonsense, not as "cannot compare". */
	for (int i = 0; i < 3; i++) {
		const char *start = v;

		while (*v >= '0' && *v <= '9' && v - start < 4)
			part[i] = part[i] * 10 + (*v++ - '0');
		if (v - start > 3)
			return 0;
		if (v == start)
			return i ? part[0] * 1000000 + part[1] * 1000 : 0;
		if (*v != '.')
			break;
		v++;
	}
	return part[0] * 1000000 + part[1] * 1000 + part[2];
}

static int check_versions(const struct env_facts *f, struct findings *out)
{
	long criu = version_number(f->criu_version), kernel = version_number(f->kernel);
	static const char remedy[] = "Install criu 4.2 or newer (Debian unstable has 4.2.1); "
				     "the guest image of this project carries it.";

	if (!criu || !kernel)
		return findings_add(out, "criu-kernel-compat", LEVEL_WARN, remedy,
				    "cannot compare criu '%s' with kernel '%s'", f->criu_version,
				    f->kernel);
	if (kernel >= 6013000 && criu < 4000000)
		return findings_add(out, "criu-too-old-for-kernel", LEVEL_FAIL, remedy,
				    "criu %s is too old for kernel %s: criu 3.x fails at start-up "
				    "on kernels >= 6.13 (vdso: Unexpected rt vDSO area bounds)",
				    f->criu_version, f->kernel);
	if (kernel >= 6013000 && criu < 4002000)
		return findings_add(out, "criu-too-old-for-kernel", LEVEL_WARN, remedy,
				    "criu %s fails on TCP sockets with kernel %s (Can't get 1:16 "
				    "opt: SO_PASSCRED on TCP); plain trees work",
				    f->criu_version, f->kernel);
	return findings_add(out, "criu-kernel-compat", LEVEL_OK, NULL,
			    "no known incompatibility between criu %s and kernel %s",
			    f->criu_version, f->kernel);
}

/* "criu check" said something other than "Looks good.": classify it. */
static int check_criu_check(const struct env_facts *f, struct findings *out)
{
	struct criu_end end = {.exited = 1, .exit_status = f->criu_check_status};
	struct verdict v;
	int rc;

	if (!f->criu_check_ran)
		return 0;
	if (f->criu_check_status == 0)
		return findings_add(out, "criu-check", LEVEL_OK, NULL, "criu check: looks good");
	if (verdict_classify(f->criu_check_out, f->criu_check_len, &end, &v) < 0)
		return -1;
	rc = findings_add(out, "criu-check", LEVEL_FAIL, v.remedy,
			  "criu check failed (exit %d): %s%s%s", f->criu_check_status, v.title,
			  v.evidence.n ? " -- " : "", v.evidence.n ? v.evidence.v[0] : "");
	if (rc == 0 && strcmp(v.id, "criu-too-old-for-kernel") == 0 &&
	    !findings_get(out, "criu-too-old-for-kernel"))
		rc = findings_add(out, "criu-too-old-for-kernel", LEVEL_FAIL, v.remedy,
				  "criu %s cannot run on kernel %s: %s", f->criu_version, f->kernel,
				  v.evidence.n ? v.evidence.v[0] : v.title);
	verdict_free(&v);
	return rc;
}

static int has_cap(const struct env_facts *f, int cap)
{
	return (f->cap_eff >> cap) & 1;
}

static int check_privileges(const struct env_facts *f, struct findings *out)
{
	if (!f->is_root || !has_cap(f, CAP_SYS_ADMIN) || !has_cap(f, CAP_SYS_PTRACE))
		return findings_add(out, "privileges", LEVEL_FAIL,
				    "Run criuctl as root with CAP_SYS_ADMIN and CAP_SYS_PTRACE.",
				    "criuctl is not root with CAP_SYS_ADMIN and CAP_SYS_PTRACE");
	if (findings_add(out, "privileges", LEVEL_OK, NULL,
			 "root, CAP_SYS_ADMIN, "
			 "CAP_SYS_PTRACE") < 0)
		return -1;
	if (!has_cap(f, CAP_SYS_RESOURCE) &&
	    findings_add(out, "cap-sys-resource", LEVEL_WARN,
			 "Give criuctl CAP_SYS_RESOURCE (a guest agent normally has it), or run "
			 "workloads as root.",
			 "CAP_SYS_RESOURCE is missing: criu cannot read the rlimits of tasks "
			 "running as another user (Can't get rlimit)") < 0)
		return -1;
	if (!has_cap(f, CAP_NET_ADMIN) &&
	    findings_add(out, "cap-net-admin", LEVEL_WARN,
			 "Give criuctl CAP_NET_ADMIN for --tcp-established.",
			 "CAP_NET_ADMIN is missing: the network lock for established "
			 "TCP connections will fail") < 0)
		return -1;
	/* criu inherits the tracer (strace -f, gdb): its own ptrace probe fails. */
	if (f->tracer > 0)
		return findings_add(
			out, "criuctl-traced", LEVEL_WARN,
			"Run criuctl without a tracer around it (strace -f, gdb); to "
			"watch criu, read its -v4 log ('criuctl log').",
			"criuctl is traced by pid %d: criu, started by it, is traced too, "
			"and criu's ptrace probe is refused (ptrace-not-permitted)",
			f->tracer);
	return 0;
}

static int check_store(const struct env_facts *f, struct findings *out)
{
	char free_s[32];

	if (!f->store_ok)
		return findings_add(out, "store", LEVEL_FAIL,
				    "Point --store (or [store] root) at a writable directory.",
				    "store %s is not usable: %s", f->store_root, f->store_error);
	snprintf(free_s, sizeof(free_s), "%.1f GiB", (double)f->store_free / (1 << 30));
	if (f->store_fallback)
		return findings_add(
			out, "store", LEVEL_WARN,
			"Point --store (or [store] root) at a disk if checkpoints must "
			"outlive the guest.",
			"store %s is in RAM (%s cannot be made: a read-only root?); its "
			"checkpoints are lost when the guest stops; %s free",
			f->store_root, STORE_DEFAULT_ROOT, free_s);
	if (f->store_made_in[0])
		return findings_add(
			out, "store", f->store_free < LOW_SPACE ? LEVEL_WARN : LEVEL_OK,
			f->store_free < LOW_SPACE ? "Free space, or use a larger --store." : NULL,
			"store %s is made by the first dump: %s is writable, %s free",
			f->store_root, f->store_made_in, free_s);
	return findings_add(out, "store", f->store_free < LOW_SPACE ? LEVEL_WARN : LEVEL_OK,
			    f->store_free < LOW_SPACE ? "Free space, or use a larger --store."
						      : NULL,
			    "store %s is writable, %s free", f->store_root, free_s);
}

const struct criu_feature criu_features[N_CRIU_FEATURES] = {
	{"network_lock_nftables",
	 "the nftables network lock, for TCP connections and trees with a network namespace of "
	 "their own"},
	{"fdinfo_lock", "--file-locks"},
	{"tcp_half_closed", "--tcp-established with half-closed connections"},
	{"link_nsid", "trees with a network namespace of their own and veth pairs"},
};

/* One finding per feature probe that ran: feature-NAME (with '-' for '_'),
 * ok or warn. */
static int check_features(const struct env_facts *f, struct findings *out)
{
	for (size_t i = 0; i < N_CRIU_FEATURES; i++) {
		const struct criu_feature *x = &criu_features[i];
		char id[64];
		int rc;

		if (f->feature[i] < 0)
			continue;
		snprintf(id, sizeof(id), "feature-%s", x->name);
		for (char *p = id; *p; p++)
			*p = *p == '_' ? '-' : *p; /* ids are lowercase-dash */
		rc = f->feature[i]
			     ? findings_add(out, id, LEVEL_OK, NULL,
					    "criu check --feature %s: supported (used by %s)",
					    x->name, x->used_by)
			     : findings_add(
				       out, id, LEVEL_WARN,
				       "A newer criu, or a kernel with what the feature needs.",
				       "criu check --feature %s: not supported here: %s will fail",
				       x->name, x->used_by);
		if (rc < 0)
			return -1;
	}
	return 0;
}

int doctor_env(const struct env_facts *f, struct findings *out)
{
	if (!f->criu_found) {
		if (findings_add(out, "criu-missing", LEVEL_FAIL,
				 "Install criu 4.2 or newer, or point --criu at it.", "%s",
				 f->criu_error) < 0)
			return -1;
	} else if (findings_add(out, "criu", LEVEL_OK, NULL, "criu %s at %s", f->criu_version,
				f->criu_path) < 0 ||
		   check_versions(f, out) < 0 || check_criu_check(f, out) < 0) {
		return -1;
	}
	if (f->dirty_track == 0 &&
	    findings_add(out, "mem-dirty-track", LEVEL_WARN,
			 "Pre-dump needs CONFIG_MEM_SOFT_DIRTY; dump without --pre-dump.",
			 "the kernel has no dirty-memory tracking: iterative pre-dump is "
			 "impossible (criu pre-dump aborts)") < 0)
		return -1;
	if (check_features(f, out) < 0 || check_privileges(f, out) < 0)
		return -1;
	return check_store(f, out);
}

/* ---- the target tree ---- */

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
