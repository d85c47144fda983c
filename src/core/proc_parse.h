/*
 * proc_parse: /proc text parsed from buffers (the reading lives in proc.c).
 */
#ifndef CRIUCTL_PROC_PARSE_H
#define CRIUCTL_PROC_PARSE_H

#include <stddef.h>

struct proc_stat {
	int pid;
	char comm[32]; /* without the parentheses */
	char state;    /* R, S, D, Z, T, t, ... */
	int ppid;
	int pgid;
	int sid;
	int tty_nr;
	int num_threads;
	unsigned long long starttime; /* clock ticks after boot: with pid, a task's identity */
	unsigned long long vsize;     /* bytes */
	long long rss_pages;
	unsigned int flags; /* PF_* of the task */
};

/*
 * Parse the text of /proc/PID/stat.  comm may hold spaces and ')', so the
 * fields are read after the *last* ')'.  Returns 0, or -1 when the text is
 * not a stat line.
 */
int proc_parse_stat(const char *buf, size_t len, struct proc_stat *out);

/* The kernel's PF_KTHREAD in the flags of a stat line: a kernel thread. */
#define PROC_PF_KTHREAD 0x00200000u

/*
 * Why the task st cannot be the root of a checkpoint, in words ("a kernel
 * thread", ...), or NULL when it can be.  self_pid is criuctl's own pid;
 * holds_self says that the tree rooted at st holds it (st is init, criuctl's
 * parent or another ancestor): criu would have to freeze criuctl, and itself.
 */
const char *proc_root_unfit(const struct proc_stat *st, int self_pid, int holds_self);

/*
 * Turn /proc/PID/cmdline (NUL-separated) into one line: NULs become
 * spaces, every other byte stays (whoever prints it escapes it: text.h,
 * jsonutil.h).  Writes at most size-1 bytes and a
 * NUL into dst.  An empty cmdline (a kernel thread or a zombie) gives "".
 */
void proc_parse_cmdline(const char *buf, size_t len, char *dst, size_t size);

/* TracerPid from the text of /proc/PID/status; -1 when absent. */
int proc_parse_tracer(const char *buf, size_t len);

/*
 * The text of /proc/PID/syscall: the syscall number the task is blocked
 * in; -1 when it is blocked outside a syscall ("-1 ..."); -2 when it is
 * "running" or the text cannot be read.
 */
long proc_parse_syscall(const char *buf, size_t len);

/*
 * The innermost value of an "NSsid:"/"NSpid:"/"NSpgid:" line of
 * /proc/PID/status (key without the colon): the id as seen inside the
 * task's own pid namespace.  0 means the session leader (or group) lives
 * outside that namespace.  Returns -1 when the line is absent.
 */
long proc_parse_nsid(const char *buf, size_t len, const char *key);

/*
 * Socket inodes of /proc/PID/net/tcp or tcp6 text whose state is
 * ESTABLISHED (01): calls found(inode, arg) for each.  Returns how many.
 */
size_t proc_parse_tcp_established(const char *buf, size_t len,
				  void (*found)(unsigned long inode, void *arg), void *arg);

#endif
