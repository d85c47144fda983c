/*
 * netlock: the rules of criu's iptables network lock, so that criuctl can
 * delete what a killed criu left.
 *
 * With --network-lock iptables and a tree that shares the network namespace,
 * criu locks each established TCP connection of the tree with two rules of
 * the filter table (logged as "Running iptables [iptables -w -t filter -I
 * INPUT --protocol tcp -m mark ! --mark 0xC114 --source ...]"): INPUT drops
 * what the peer sends to the tree's socket, OUTPUT what the socket sends to
 * the peer; packets criu marks 0xC114 itself pass.  criu deletes them with
 * the same words and -D when it ends by itself; killed, it leaves them.
 * Pure: builds the argv.
 */
#ifndef CRIUCTL_NETLOCK_H
#define CRIUCTL_NETLOCK_H

#include "strv.h"

/* One established TCP connection of the tree, seen from its socket. */
struct tcp_conn {
	int ipv6;	/* 0: IPv4, 1: IPv6 */
	char local[64]; /* numeric address of the tree's end */
	int lport;
	char remote[64]; /* numeric address of the peer */
	int rport;
};

/*
 * The command that deletes criu's lock rule of c in chain INPUT (input) or
 * OUTPUT (!input): "iptables" (or "ip6tables") and its arguments, appended
 * to argv.  Returns 0, or -1 when out of memory or c is not a connection
 * (an empty address or a port outside 1..65535).
 */
int netlock_iptables_delete(const struct tcp_conn *c, int input, struct strv *argv);

#endif
