/*
 * netns: see netns.h.  /proc paths go through proc_root() like every other
 * /proc read, so fixture roots simply have no namespaces.
 */
#include "netns.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "proc.h"

struct ns_open {
	int nsfd;
	int domain, type, protocol;
	int fd, err;
};

static void *ns_open_thread(void *arg)
{
	struct ns_open *o = arg;

	if (setns(o->nsfd, CLONE_NEWNET) < 0) {
		o->err = errno;
		return NULL;
	}
	o->fd = socket(o->domain, o->type | SOCK_CLOEXEC, o->protocol);
	o->err = o->fd < 0 ? errno : 0;
	return NULL;
}

int netns_socket(int pid, int domain, int type, int protocol)
{
	struct ns_open o = {.domain = domain, .type = type, .protocol = protocol, .fd = -1};
	char path[64];
	pthread_t t;
	int rc;

	if (pid <= 0 || !proc_ns_differs(pid, "net"))
		return socket(domain, type | SOCK_CLOEXEC, protocol);
	snprintf(path, sizeof(path), "%s/%d/ns/net", proc_root(), pid);
	o.nsfd = open(path, O_RDONLY | O_CLOEXEC);
	if (o.nsfd < 0)
		return -1;
	rc = pthread_create(&t, NULL, ns_open_thread, &o);
	if (rc == 0)
		pthread_join(t, NULL);
	else
		o.err = rc;
	close(o.nsfd);
	errno = o.err;
	return o.fd;
}
