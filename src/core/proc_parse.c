/* proc_parse: /proc/PID/stat and cmdline from buffers. */
#include "proc_parse.h"

#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int proc_parse_stat(const char *buf, size_t len, struct proc_stat *out)
{
	char tail[512];
	const char *open, *close;
	size_t n;

	memset(out, 0, sizeof(*out));
	open = memchr(buf, '(', len);
	close = NULL;
	for (const char *p = buf + len; p > buf; p--)
		if (p[-1] == ')') {
			close = p - 1;
			break;
		}
	if (!open || !close || close < open)
		return -1;
	/* buf need not be NUL-terminated, and sscanf() reads its input to the NUL. */
	n = (size_t)(open - buf);
	if (n >= sizeof(tail))
		n = sizeof(tail) - 1;
	memcpy(tail, buf, n);
	tail[n] = '\0';
	if (sscanf(tail, "%d", &out->pid) != 1)
		return -1;
	n = (size_t)(close - open - 1);
	if (n >= sizeof(out->comm))
		n = sizeof(out->comm) - 1;
	memcpy(out->comm, open + 1, n);
	out->comm[n] = '\0';
	n = len - (size_t)(close + 1 - buf);
	if (n >= sizeof(tail))
		n = sizeof(tail) - 1;
	memcpy(tail, close + 1, n);
	tail[n] = '\0';
	/* state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt
	 * utime stime cutime cstime priority nice num_threads itrealvalue
	 * starttime vsize rss */
	if (sscanf(tail,
		   " %c %d %d %d %d %*d %u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %d %*d %llu "
		   "%llu %lld",
		   &out->state, &out->ppid, &out->pgid, &out->sid, &out->tty_nr, &out->flags,
		   &out->num_threads, &out->starttime, &out->vsize, &out->rss_pages) != 10)
		return -1;
	return 0;
}

const char *proc_root_unfit(const struct proc_stat *st, int self_pid, int holds_self)
{
	if (st->flags & PROC_PF_KTHREAD)
		return "a kernel thread: it has no user space to checkpoint";
	if (st->state == 'Z' || st->state == 'X')
		return "a zombie: it has exited, and nothing is left to checkpoint";
	if (st->pid == self_pid)
		return "criuctl itself";
	if (holds_self)
		return "an ancestor of criuctl (init, or the shell that ran it): its tree holds "
		       "criuctl, which cannot freeze itself";
	return NULL;
}

void proc_parse_cmdline(const char *buf, size_t len, char *dst, size_t size)
{
	size_t n = 0;

	if (size == 0)
		return;
	while (len > 0 && buf[len - 1] == '\0')
		len--;
	for (size_t i = 0; i < len && n + 1 < size; i++) {
		char c = buf[i];

		dst[n++] = c == '\0' ? ' ' : c;
	}
	dst[n] = '\0';
}

int proc_parse_tracer(const char *buf, size_t len)
{
	static const char key[] = "\nTracerPid:";
	const char *p = memmem(buf, len, key, sizeof(key) - 1);
	char num[24];
	size_t n;
	int pid;

	if (!p)
		return -1;
	/* A copy: buf need not be NUL-terminated, and sscanf() reads to the NUL. */
	p += sizeof(key) - 1;
	n = (size_t)(buf + len - p);
	if (n >= sizeof(num))
		n = sizeof(num) - 1;
	memcpy(num, p, n);
	num[n] = '\0';
	if (sscanf(num, "%d", &pid) != 1)
		return -1;
	return pid;
}

long proc_parse_syscall(const char *buf, size_t len)
{
	char text[32];
	long nr;

	if (len == 0)
		return -2;
	if (len >= sizeof(text))
		len = sizeof(text) - 1;
	memcpy(text, buf, len);
	text[len] = '\0';
	if (sscanf(text, "%ld", &nr) != 1)
		return -2;
	return nr < 0 ? -1 : nr;
}

long proc_parse_nsid(const char *buf, size_t len, const char *key)
{
	char line[256];
	long last = -1, v;
	char *p, *end;

	if (!text_value(buf, len, key, ':', line, sizeof(line)))
		return -1;
	for (p = line;; p = end) {
		v = strtol(p, &end, 10);
		if (end == p)
			break;
		last = v;
	}
	return last;
}

size_t proc_parse_tcp_established(const char *buf, size_t len,
				  void (*found)(unsigned long inode, void *arg), void *arg)
{
	const char *p = buf, *text;
	size_t count = 0, k;

	while (text_next_line(&p, buf + len, &text, &k)) {
		char line[512];
		unsigned int st;
		unsigned long inode;

		snprintf(line, sizeof(line), "%.*s", (int)k, text);
		/* sl local rem st tx:rx tr:when retrnsmt uid timeout inode */
		if (sscanf(line, " %*[0-9]: %*s %*s %x %*s %*s %*s %*u %*u %lu", &st, &inode) != 2)
			continue; /* the header line */
		if (st == 0x01 && inode) {
			count++;
			if (found)
				found(inode, arg);
		}
	}
	return count;
}
