/* netlock: see netlock.h.  The words are criu 4.2's (criu/netfilter.c):
 * iptables matches a rule to delete by all of them, in any order, so they
 * must be the same selectors and target as criu's insert. */
#include "netlock.h"

#define CRIU_MARK "0xC114" /* SOCCR_MARK: criu's own packets pass its lock */

static int valid(const struct tcp_conn *c)
{
	return c->local[0] && c->remote[0] && c->lport > 0 && c->lport < 65536 && c->rport > 0 &&
	       c->rport < 65536;
}

int netlock_iptables_delete(const struct tcp_conn *c, int input, struct strv *argv)
{
	/* INPUT: from the peer to the tree's socket; OUTPUT: the other way. */
	const char *src = input ? c->remote : c->local, *dst = input ? c->local : c->remote;
	int sport = input ? c->rport : c->lport, dport = input ? c->lport : c->rport;
	static const char *const head[] = {"-w", "-t", "filter", "-D"};
	static const char *const match[] = {"--protocol", "tcp",    "-m",     "mark",
					    "!",	  "--mark", CRIU_MARK};

	if (!valid(c))
		return -1;
	if (strv_push(argv, c->ipv6 ? "ip6tables" : "iptables") < 0)
		return -1;
	for (size_t i = 0; i < sizeof(head) / sizeof(head[0]); i++)
		if (strv_push(argv, head[i]) < 0)
			return -1;
	if (strv_push(argv, input ? "INPUT" : "OUTPUT") < 0)
		return -1;
	for (size_t i = 0; i < sizeof(match) / sizeof(match[0]); i++)
		if (strv_push(argv, match[i]) < 0)
			return -1;
	if (strv_push(argv, "--source") < 0 || strv_push(argv, src) < 0 ||
	    strv_push(argv, "--sport") < 0 || strv_pushf(argv, "%d", sport) < 0 ||
	    strv_push(argv, "--destination") < 0 || strv_push(argv, dst) < 0 ||
	    strv_push(argv, "--dport") < 0 || strv_pushf(argv, "%d", dport) < 0 ||
	    strv_push(argv, "-j") < 0 || strv_push(argv, "DROP") < 0)
		return -1;
	return 0;
}
