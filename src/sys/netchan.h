/*
 * netchan: the TCP control channel of migrate and receive (the messages
 * are migrate.h's): listen, accept one sender, connect, lines and files
 * with a deadline.  Blocking sockets polled with a timeout; nothing here
 * runs on the libuv loop (the channel is used before and after criu runs,
 * never while the loop waits for it).  A signal criuctl takes (interrupt.h)
 * ends any wait: -1 with errno EINTR.
 */
#ifndef CRIUCTL_NETCHAN_H
#define CRIUCTL_NETCHAN_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* A listening socket on host:port (SO_REUSEADDR, backlog 1), close-on-exec.
 * Returns the fd, or -1 with e set (exit 6, "listen-failed"). */
int net_listen(const char *host, unsigned port, struct cc_err *e);

/* Accept one connection within timeout seconds (0: no limit).  Returns its
 * fd, or -1 with e set (exit 4 "receive-timeout", or 6). */
int net_accept(int lfd, double timeout, struct cc_err *e);

/* Connect to host:port within timeout seconds.  Returns the fd, or -1 with
 * e set (exit 6, "receiver-unreachable"). */
int net_connect(const char *host, unsigned port, double timeout, struct cc_err *e);

/* Read one line (without '\n', NUL-terminated) of at most len-1 bytes
 * within timeout seconds (0: no limit).  Returns 0, or -1: errno ETIMEDOUT,
 * EPIPE (the peer closed), EMSGSIZE (too long), or the socket's error. */
int net_read_line(int fd, char *buf, size_t len, double timeout);

/* Write all of buf.  Returns 0, or -1 with errno. */
int net_write_all(int fd, const void *buf, size_t len);

/* Copy size bytes from fd to a new file name in dirfd (0600, never
 * following or replacing anything), within timeout seconds per read.
 * Returns 0, or -1 with errno. */
int net_recv_file(int fd, int dirfd, const char *name, uint64_t size, double timeout);

/* Send "FILE NAME SIZE\n" and the bytes of name in dirfd.  Returns the
 * bytes of file data sent, or -1 with errno. */
int64_t net_send_file(int fd, int dirfd, const char *name);

#endif
