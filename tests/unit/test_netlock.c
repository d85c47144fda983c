/*
 * Unit tests of netlock: the command that deletes a rule of criu's iptables
 * lock is criu's own insert with -D for -I.  The expected lines are what
 * criu 4.2.1 logged in the guest ("Running iptables [...]") when it locked
 * the connection 127.0.0.1:7777 (the tree) - 127.0.0.1:45054 (the peer).
 */
#include "unit.h"

#include "netlock.h"

static const struct {
	struct tcp_conn conn;
	int input;
	const char *want; /* the words joined by spaces; NULL: refused */
} cases[] = {
	{{0, "127.0.0.1", 7777, "127.0.0.1", 45054},
	 1,
	 "iptables -w -t filter -D INPUT --protocol tcp -m mark ! --mark 0xC114 --source 127.0.0.1 "
	 "--sport 45054 --destination 127.0.0.1 --dport 7777 -j DROP"},
	{{0, "127.0.0.1", 7777, "127.0.0.1", 45054},
	 0,
	 "iptables -w -t filter -D OUTPUT --protocol tcp -m mark ! --mark 0xC114 --source "
	 "127.0.0.1 "
	 "--sport 7777 --destination 127.0.0.1 --dport 45054 -j DROP"},
	/* The peer's end as the tree's: a client in the tree. */
	{{0, "10.0.0.2", 40000, "10.0.0.1", 80},
	 1,
	 "iptables -w -t filter -D INPUT --protocol tcp -m mark ! --mark 0xC114 --source 10.0.0.1 "
	 "--sport 80 --destination 10.0.0.2 --dport 40000 -j DROP"},
	{{1, "::1", 8080, "::1", 50000},
	 0,
	 "ip6tables -w -t filter -D OUTPUT --protocol tcp -m mark ! --mark 0xC114 --source ::1 "
	 "--sport 8080 --destination ::1 --dport 50000 -j DROP"},
	/* Not a connection: nothing to delete. */
	{{0, "", 7777, "127.0.0.1", 1}, 1, NULL},
	{{0, "127.0.0.1", 0, "127.0.0.1", 1}, 1, NULL},
	{{0, "127.0.0.1", 7777, "127.0.0.1", 65536}, 0, NULL},
};

static void test_delete(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct strv argv = {0};
		char joined[512] = "";
		int rc = netlock_iptables_delete(&cases[i].conn, cases[i].input, &argv);

		for (size_t k = 0; k < argv.n; k++)
			snprintf(joined + strlen(joined), sizeof(joined) - strlen(joined), "%s%s",
				 k ? " " : "", argv.v[k]);
		if (!cases[i].want) {
			check_int(cases[i].conn.local, rc, -1);
		} else {
			check_int(cases[i].want, rc, 0);
			check_str(cases[i].want, joined, cases[i].want);
			assert_null(argv.v[argv.n]);
		}
		strv_free(&argv);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_delete),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
