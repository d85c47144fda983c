/*
 * netchan: see netchan.h.  The reads keep no buffer between calls: a line
 * is read a byte at a time (a few short lines per migration), file data
 * in blocks of exactly what is announced, so nothing of the next message
 * is ever consumed early.
 */
#include "netchan.h"

#include "interrupt.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static struct addrinfo *resolve(const char *host, unsigned port, int passive, int *gai)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC,
				 .ai_socktype = SOCK_STREAM,
				 .ai_flags = passive ? AI_PASSIVE : 0};
	struct addrinfo *res = NULL;
	char p[16];

	snprintf(p, sizeof(p), "%u", port);
	*gai = getaddrinfo(host, p, &hints, &res);
	return *gai ? NULL : res;
}

int net_listen(const char *host, unsigned port, struct cc_err *e)
{
	int gai, fd = -1, one = 1, err = 0;
	struct addrinfo *res = resolve(host, port, 1, &gai);

	if (!res)
		return err_set(e, CC_EXIT_ENV, "listen-failed", "listen on %s:%u: %s", host, port,
			       gai_strerror(gai));
	for (struct addrinfo *a = res; a && fd < 0; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, 0);
		if (fd < 0)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, a->ai_addr, a->ai_addrlen) < 0 || listen(fd, 1) < 0) {
			err = errno;
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	if (fd < 0)
		return err_sys(e, CC_EXIT_ENV, "listen-failed", err ? err : errno,
			       "listen on %s:%u", host, port);
	return fd;
}

/* Wait until fd can do events; 0, or -1 with errno (ETIMEDOUT). */
static int wait_fd(int fd, short events, double timeout)
{
	struct pollfd p = {.fd = fd, .events = events};
	int ms = timeout > 0 ? (int)(timeout * 1000) : -1, rc;

	/* criuctl's SIGINT/SIGTERM/SIGHUP (interrupt.h) end the wait. */
	do
		rc = poll(&p, 1, ms);
	while (rc < 0 && errno == EINTR && !intr_signal());
	if (rc == 0)
		errno = ETIMEDOUT;
	return rc > 0 ? 0 : -1;
}

int net_accept(int lfd, double timeout, struct cc_err *e)
{
	int fd;

	if (wait_fd(lfd, POLLIN, timeout) < 0)
		return err_sys(e, errno == ETIMEDOUT ? CC_EXIT_TIMEOUT : CC_EXIT_ENV,
			       errno == ETIMEDOUT ? "receive-timeout" : "accept-failed", errno,
			       "waiting for a sender");
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return err_sys(e, CC_EXIT_ENV, "accept-failed", errno, "accept a sender");
	return fd;
}

static int connect_one(const struct addrinfo *a, double timeout)
{
	int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0), err = 0;
	socklen_t len = sizeof(err);

	if (fd < 0)
		return -1;
	if (connect(fd, a->ai_addr, a->ai_addrlen) < 0 &&
	    (errno != EINPROGRESS || wait_fd(fd, POLLOUT, timeout) < 0 ||
	     getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || (err && (errno = err)))) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

int net_connect(const char *host, unsigned port, double timeout, struct cc_err *e)
{
	int gai, fd = -1;
	struct addrinfo *res = resolve(host, port, 0, &gai);

	if (!res)
		return err_set(e, CC_EXIT_ENV, "receiver-unreachable", "connect to %s:%u: %s", host,
			       port, gai_strerror(gai));
	for (struct addrinfo *a = res; a && fd < 0; a = a->ai_next)
		fd = connect_one(a, timeout);
	freeaddrinfo(res);
	if (fd < 0)
		return err_sys(e, CC_EXIT_ENV, "receiver-unreachable", errno, "connect to %s:%u",
			       host, port);
	return fd;
}

/* Read up to len bytes once data is there; bytes read, or -1 (EPIPE at the end). */
static ssize_t read_some(int fd, void *buf, size_t len, double timeout)
{
	ssize_t n;

	if (wait_fd(fd, POLLIN, timeout) < 0)
		return -1;
	do
		n = read(fd, buf, len);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		errno = EPIPE;
	return n > 0 ? n : -1;
}

int net_read_line(int fd, char *buf, size_t len, double timeout)
{
	size_t n = 0;

	for (;;) {
		char ch;

		if (read_some(fd, &ch, 1, timeout) < 0)
			return -1;
		if (ch == '\n')
			break;
		if (n + 1 >= len) {
			errno = EMSGSIZE;
			return -1;
		}
		buf[n++] = ch;
	}
	buf[n] = '\0';
	return 0;
}

int net_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int net_recv_file(int fd, int dirfd, const char *name, uint64_t size, double timeout)
{
	char buf[65536];
	int out = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	int err = 0;

	if (out < 0)
		return -1;
	while (size && !err) {
		ssize_t n = read_some(fd, buf, size < sizeof(buf) ? size : sizeof(buf), timeout);

		if (n < 0 || write(out, buf, (size_t)n) != n)
			err = errno ? errno : EIO;
		else
			size -= (uint64_t)n;
	}
	if (close(out) < 0 && !err)
		err = errno;
	errno = err;
	return err ? -1 : 0;
}

int64_t net_send_file(int fd, int dirfd, const char *name)
{
	char buf[65536];
	struct stat st;
	int in = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), err = 0, n;
	uint64_t left;

	if (in < 0)
		return -1;
	if (fstat(in, &st) < 0) {
		err = errno;
		close(in);
		errno = err;
		return -1;
	}
	n = snprintf(buf, sizeof(buf), "FILE %s %llu\n", name, (unsigned long long)st.st_size);
	left = (uint64_t)st.st_size;
	if (net_write_all(fd, buf, (size_t)n) < 0)
		err = errno;
	while (left && !err) {
		ssize_t r = read(in, buf, left < sizeof(buf) ? left : sizeof(buf));

		if (r <= 0 || net_write_all(fd, buf, (size_t)r) < 0)
			err = r == 0 ? EIO : errno;
		else
			left -= (uint64_t)r;
	}
	close(in);
	errno = err;
	return err ? -1 : (int64_t)st.st_size;
}
