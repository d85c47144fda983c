/*
 * netns: sockets in another process's network namespace.  A socket belongs
 * to the namespace it was created in, and setns(CLONE_NEWNET) moves only the
 * calling thread, so a short-lived thread enters the namespace and makes the
 * socket; criuctl's own threads never change namespace.
 */
#ifndef CRIUCTL_NETNS_H
#define CRIUCTL_NETNS_H

/* socket(domain, type | SOCK_CLOEXEC, protocol) in pid's network namespace
 * (criuctl's own when pid <= 0).  Returns the fd, or -1 with errno set. */
int netns_socket(int pid, int domain, int type, int protocol);

#endif
