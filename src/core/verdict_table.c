/*
 * verdict_table: the registry of verdicts, one row per verdict criuctl can
 * give: its id, exit status, who decides it, its words, the substrings of
 * criu's log that decide it, and the real material (tests/fixtures) and
 * test that show it.  The rows of log signatures are in rank order (see
 * verdict.h).  Every signature is a substring of a message CRIU really
 * prints; tests/unit/test_verdict.c classifies each row's fixture and
 * tests/cli/docs.bats checks that criuctl(1) documents each id and that no
 * other source file spells one.
 */
#include "verdict.h"

#include <string.h>

#include "err.h"

#define LOG	VFROM_LOG
#define FAILED	CC_EXIT_CRIU_FAILED
#define F(name) "criu-4.2.1/" name

static const struct verdict_row rows[V_COUNT] = {
	[V_SESSION_LEADER_OUTSIDE_PIDNS] =
		{"session-leader-outside-pidns",
		 FAILED,
		 LOG,
		 "The tree's session leader is outside its pid namespace, so CRIU cannot restore "
		 "the session.",
		 "Start the workload in a session of its own: 'criuctl run -- CMD' calls setsid(); "
		 "for a container, make its init a session leader (setsid) before it starts the "
		 "workload.",
		 {"is outside of its pid namespace"},
		 F("dump-session-leader.log"),
		 "tests/e2e/diagnosis.bats"},
	[V_CRIU_TOO_OLD_FOR_KERNEL] =
		{"criu-too-old-for-kernel",
		 FAILED,
		 LOG,
		 "This criu is too old for the running kernel.",
		 "Install criu 4.2 or newer (criu < 4.0 fails on the vDSO layout of kernels >= "
		 "6.13; 4.1 fails on TCP sockets of new kernels).",
		 {"Unexpected rt vDSO area bounds", "Can't get 1:16 opt"},
		 "criu-3.17/dump-vdso.log",
		 NULL},
	[V_TASK_EXITED] =
		{"task-exited",
		 FAILED,
		 LOG,
		 "A task of the tree exited before criu could seize it (the root ending as the "
		 "dump starts, or a child that came and went).",
		 "Nothing was dumped and the rest of the tree was let go. If the tree is still "
		 "there, dump again; if its root ended, there is nothing left to dump.",
		 {"(No such process)"},
		 F("dump-task-exited.log"),
		 NULL},
	[V_TASK_TRACED] =
		{"task-traced",
		 FAILED,
		 LOG | VFROM_HANG,
		 "CRIU could not seize a task: it is already traced (a debugger, strace) or ptrace "
		 "is not permitted.",
		 "Detach the debugger or tracer from the task ('criuctl check --tree PID' names "
		 "the tracer), then dump again.",
		 {"Unable to interrupt task", "Unable to seize"},
		 F("dump-traced.log"),
		 "tests/e2e/diagnosis.bats"},
	[V_PTRACE_NOT_PERMITTED] =
		{"ptrace-not-permitted",
		 FAILED,
		 LOG,
		 "criu may not use ptrace here: its own probe (PTRACE_TRACEME in a child) was "
		 "refused before anything was dumped.",
		 "Do not run criu (or criuctl) under a tracer such as 'strace -f' or gdb. "
		 "Otherwise ptrace is forbidden: see kernel.yama.ptrace_scope (3 holds until "
		 "reboot), a seccomp profile that blocks ptrace, and CAP_SYS_PTRACE.",
		 {"ptrace(PTRACE_TRACEME): Operation not permitted"},
		 F("dump-criu-traced.log"),
		 NULL},
	[V_TASK_UNINTERRUPTIBLE] =
		{"task-uninterruptible",
		 FAILED,
		 LOG | VFROM_HANG,
		 "A task of the tree is in uninterruptible sleep (state D, e.g. a vfork parent) "
		 "and cannot be seized.",
		 "Wait until the task leaves D state (a vfork child must exec or exit), then dump "
		 "again; 'criuctl check --tree PID' shows which task it is.",
		 {"state D, err"},
		 F("dump-vfork-dstate.log"),
		 "tests/e2e/watchdog.bats"},
	[V_MEM_TRACKING_UNSUPPORTED] =
		{"mem-tracking-unsupported",
		 FAILED,
		 LOG,
		 "The kernel has no dirty-memory tracking, so pre-dump (iterative dumps) cannot "
		 "work.",
		 "Dump without --pre-dump, or use a kernel with CONFIG_MEM_SOFT_DIRTY.",
		 {"Dirty tracking is OFF", "BUG at criu/mem.c:46"},
		 F("predump-no-dirty-track.log"),
		 NULL},
	[V_CRIU_BUG] =
		{"criu-bug",
		 FAILED,
		 LOG,
		 "CRIU hit an internal assertion (BUG) and aborted.",
		 "This is a CRIU defect or an unsupported setup: keep the log and report it; try "
		 "a newer criu.",
		 {"BUG at "},
		 F("dump-bug.log"),
		 NULL},
	[V_COLLECT_TIMEOUT] =
		{"collect-timeout",
		 FAILED,
		 LOG,
		 "CRIU timed out while collecting and seizing the tree's tasks.",
		 "Look for tasks that keep forking or are stuck; raise criu's own limit with "
		 "--criu-opt=--timeout=SEC.",
		 {"Timeout reached. Try to interrupt"},
		 F("dump-collect-timeout.log"),
		 NULL},
	[V_TCP_ESTABLISHED_NEEDED] =
		{"tcp-established-needed",
		 FAILED,
		 LOG,
		 "The tree has an established TCP connection and --tcp-established was not given.",
		 "Dump with --tcp-established (and restore where the peer can still reach the "
		 "address).",
		 {"consider using --tcp-established"},
		 F("dump-tcp-no-established.log"),
		 NULL},
	[V_TCP_LOCK_FAILED] =
		{"tcp-lock-failed",
		 FAILED,
		 LOG,
		 "CRIU could not lock the network with iptables.",
		 "Use --network-lock nftables (this guest has no iptables binary), or install "
		 "iptables.",
		 {"Iptables configuration failed", "iptables-restore"},
		 F("dump-tcp-iptables.log"),
		 "tests/e2e/diagnosis.bats"},
	[V_EXTERNAL_MOUNT_UNMAPPED] =
		{"external-mount-unmapped",
		 FAILED,
		 LOG,
		 "The checkpoint has external mounts and the restore did not map them back.",
		 "Restore with --external 'mnt[KEY]:PATH' for each mount dumped as external (the "
		 "manifest lists them), and --root for a tree with its own root.",
		 {"No mapping for"},
		 F("restore-no-mapping.log"),
		 NULL},
	[V_PID_IN_USE] =
		{"pid-in-use",
		 FAILED,
		 LOG,
		 "A pid the checkpoint needs is already in use.",
		 "Stop the process that holds the pid (a still running original, or a zombie "
		 "whose parent has not reaped it), or restore in a new pid namespace.",
		 {"Can't fork for"},
		 F("restore-pid-in-use.log"),
		 NULL},
	[V_EXTERNAL_FD] =
		{"external-fd",
		 FAILED,
		 LOG,
		 "A file descriptor of the tree points into a mount outside its mount namespace "
		 "(often stdio inherited from outside, or a leaked fd).",
		 "Reopen stdin/stdout/stderr inside the tree's mount namespace and close inherited "
		 "fds ('criuctl run' does both), or declare the file with --external.",
		 {"Can't lookup mount"},
		 F("dump-external-mount-fd.log"),
		 NULL},
	[V_EXTERNAL_MOUNT] =
		{"external-mount",
		 FAILED,
		 LOG,
		 "A mount of the tree comes from outside its mount namespace (a bind mount such "
		 "as /etc/hosts) and was not declared external.",
		 "Name bind mounts from outside the tree with --external 'mnt[PATH]:KEY' (or "
		 "--external 'mnt[]' to let criu find them) and map them back on restore, or skip "
		 "them with --skip-mnt PATH.",
		 {"doesn't have a proper root mount", "unreachable sharing"},
		 F("dump-no-root-mount.log"),
		 NULL},
	[V_EXT_UNIX_SK_NEEDED] =
		{"ext-unix-sk-needed",
		 FAILED,
		 LOG,
		 "A unix socket of the tree is connected to a peer outside the tree.",
		 "Dump with --ext-unix-sk, or stop the peer first.",
		 {"--ext-unix-sk"},
		 F("dump-ext-unix-sk.log"),
		 NULL},
	[V_FILE_LOCKS_NEEDED] = {"file-locks-needed",
				 FAILED,
				 LOG,
				 "The tree holds file locks and --file-locks was not given.",
				 "Dump with --file-locks.",
				 {"--file-locks"},
				 F("dump-file-locks.log"),
				 NULL},
	[V_SHELL_JOB_NEEDED] =
		{"shell-job-needed",
		 FAILED,
		 LOG,
		 "The tree uses a terminal or session from outside it.",
		 "Dump and restore with --shell-job, or start the workload with 'criuctl run'.",
		 {"--shell-job", "Found dangling tty"},
		 F("dump-shell-job.log"),
		 NULL},
	[V_RLIMIT_NOT_PERMITTED] =
		{"rlimit-not-permitted",
		 FAILED,
		 LOG,
		 "CRIU could not read the resource limits of a task running as another user.",
		 "Run criuctl with CAP_SYS_RESOURCE (a guest agent normally has it), or run the "
		 "workload as root.",
		 {"Can't get rlimit"},
		 F("dump-rlimit-uid.log"),
		 NULL},
	[V_NO_SPACE] =
		{"no-space",
		 FAILED,
		 LOG,
		 "The disk holding the images is full.",
		 "Free space in the store (criuctl prune) or point --store at a larger disk.",
		 {"No space left on device"},
		 F("dump-no-space.log"),
		 NULL},
	[V_CRIU_KILLED] =
		{"criu-killed",
		 FAILED,
		 VFROM_END,
		 "criu was killed by a signal before it finished.",
		 "Find out who killed it (the OOM killer: see dmesg; a fault injection: CRIU_FAULT "
		 "in the environment). The tree was resumed by the kernel when criu's ptrace "
		 "ended.",
		 {NULL},
		 F("dump-fault-detach.log"),
		 "tests/e2e/watchdog.bats"},
	[V_CRIU_CRASHED] =
		{"criu-crashed",
		 FAILED,
		 VFROM_END,
		 "criu crashed (a fatal signal of its own: segfault, abort, bus error).",
		 "A CRIU defect or damaged images: keep the log and report it; try a newer criu.",
		 {NULL},
		 NULL,
		 "tests/cli/dump_fail.bats"},
	[V_CRIU_FAILED] =
		{"criu-failed",
		 FAILED,
		 VFROM_END,
		 "criu failed.",
		 "Read the decisive lines below and the full log; 'criuctl explain LOG' classifies "
		 "it.",
		 {NULL},
		 F("dump-fault-detach.log"),
		 "tests/cli/dump_fail.bats"},
	[V_LOG_INCOMPLETE] =
		{"log-incomplete",
		 FAILED,
		 VFROM_END,
		 "The log ends without CRIU's final line: criu died (killed by a signal, the OOM "
		 "killer, CRIU_FAULT) or was still running.",
		 "Look at how criu ended (its exit status, dmesg); the last lines show how far it "
		 "got.",
		 {NULL},
		 F("dump-fault-detach.log"),
		 "tests/cli/explain.bats"},
	[V_CRIU_STOPPED] =
		{"criu-stopped",
		 CC_EXIT_TIMEOUT,
		 VFROM_HANG,
		 "criu is stopped (state T).",
		 "Something stopped criu (SIGSTOP, a debugger): find out what; criuctl stopped it "
		 "and left the tree running.",
		 {NULL},
		 "proc/criu-stopped",
		 "tests/e2e/watchdog.bats"},
	[V_CRIU_BLOCKED] =
		{"criu-blocked",
		 CC_EXIT_TIMEOUT,
		 VFROM_HANG,
		 "criu is blocked in a syscall.",
		 "criu waits on a child or a pipe that does not answer: see the tasks and the last "
		 "log lines in the report.",
		 {NULL},
		 "proc/hang",
		 NULL},
	[V_TASK_STOPPED] =
		{"task-stopped",
		 CC_EXIT_TIMEOUT,
		 VFROM_HANG,
		 "A task of the tree is stopped (state T).",
		 "A task of the tree is stopped (SIGSTOP or job control): continue it (kill -CONT) "
		 "and dump again.",
		 {NULL},
		 "proc/hang",
		 NULL},
	[V_STALLED] = {"stalled",
		       CC_EXIT_TIMEOUT,
		       VFROM_HANG | VFROM_RUN,
		       "criu made no progress for the stall limit.",
		       "Read the last log lines in the report; if the tree is large, raise "
		       "--stall-timeout or --timeout.",
		       {NULL},
		       "proc/hang",
		       "tests/e2e/watchdog.bats"},
	[V_TIMEOUT] =
		{"timeout",
		 CC_EXIT_TIMEOUT,
		 VFROM_RUN,
		 "The deadline passed before criu finished.",
		 "Read the last log lines in the report; if the tree is large, raise --timeout.",
		 {NULL},
		 NULL,
		 "tests/e2e/watchdog.bats"},
	[V_INTERRUPTED] = {"interrupted",
			   VERDICT_EXIT_SIGNAL,
			   VFROM_RUN,
			   "criuctl was interrupted by a signal before criu's point of no return.",
			   "Run the command again.",
			   {NULL},
			   NULL,
			   "tests/e2e/faults.bats"},
	[V_COMMIT_FAILED] =
		{"commit-failed",
		 CC_EXIT_STORE,
		 VFROM_RUN,
		 "criuctl could not make the checkpoint safe, so criu was told not to go on and "
		 "undid its work.",
		 "Look at the store (space, permissions, the disk), then run the command again.",
		 {NULL},
		 NULL,
		 "tests/cli/dump_fail.bats"},
	[V_ABANDONED] =
		{"abandoned",
		 VERDICT_EXIT_NONE,
		 VFROM_STORE,
		 "criuctl ended before criu did (it was killed, or crashed); criu went on alone, "
		 "or was stopped by criuctl-guard when it was stuck; the attempt did not complete.",
		 "Nothing was lost: a dump was not committed, and the tree was resumed, by criu "
		 "when it found criuctl gone at its point of no return, or by criuctl-guard when "
		 "criu stalled or passed its deadline (the report's guard says what it did); check "
		 "the tree (criuctl check --tree PID) and dump again.  A restore's criu killed "
		 "what it had restored: restore again.",
		 {NULL},
		 NULL,
		 "tests/e2e/faults.bats"},
	[V_LAZY_PAGES_LOST] =
		{"lazy-pages-lost",
		 FAILED,
		 VFROM_RUN,
		 "criu lazy-pages ended before every page of the restored tree was in: the tree "
		 "cannot run on without them, and was ended.",
		 "The checkpoint is unchanged: restore it again (without --lazy to load the memory "
		 "first).  Why the daemon ended is in lazy-pages.log beside restore.log in the "
		 "attempt kept in failed/.",
		 {NULL},
		 F("lazy-pages-killed.log"),
		 "tests/e2e/lazy.bats"},
	/* The preflight sees it (doctor.c): criu would fail with the line of
	 * session-leader-outside-pidns, which names no holder. */
	[V_KATA_AGENT_SESSION] =
		{"kata-agent-session",
		 CC_EXIT_REFUSED,
		 VFROM_PRE,
		 "The container's init is in kata-agent's session, outside its pid namespace "
		 "(Kata Containers 2.5 to 4.0 start a container without a terminal that way), so "
		 "CRIU cannot dump it.",
		 "Run the container on Kata Containers 4.1 or newer, which gives every container "
		 "init a session of its own, or give the container a terminal (process.terminal: "
		 "true, e.g. 'tty: true' in a pod spec), which makes the agent call setsid() for "
		 "it "
		 "on 2.5 to 4.0 too; then start the container again.",
		 {NULL},
		 NULL,
		 "tests/e2e/kata_container.bats"},
};

const struct verdict_row *verdict_row(size_t k)
{
	return k < V_COUNT ? &rows[k] : NULL;
}

enum verdict_kind verdict_find(const char *id)
{
	size_t k = 0;

	while (k < V_COUNT && strcmp(rows[k].id, id) != 0)
		k++;
	return (enum verdict_kind)k;
}

void verdict_set(struct verdict *v, enum verdict_kind k)
{
	v->kind = k;
	v->id = rows[k].id;
	v->title = rows[k].title;
	v->remedy = rows[k].remedy;
}
