/*
 * Unit tests of kata: config.json as kata-agent writes it (and broken
 * ones), the cgroup directories of cgroupsPath, picking the init among
 * candidates, and the mounts a dump names external.
 */
#include "unit.h"

#include "kata.h"

/* A spec shaped like the one kata-agent saves (rpc.rs setup_bundle). */
static const char spec_json[] =
	"{\"ociVersion\":\"1.1.0\",\"process\":{\"terminal\":false,\"args\":[\"python3\",\"-c\","
	"\"x\"]},\"root\":{\"path\":\"/run/kata-containers/c1/rootfs\",\"readonly\":true},"
	"\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
	"{\"destination\":\"/etc/hosts\",\"type\":\"bind\",\"source\":"
	"\"/run/kata-containers/shared/containers/c1-0123456789abcdef-hosts\",\"options\":"
	"[\"rbind\",\"ro\"]},"
	"{\"destination\":\"/dev/shm\",\"type\":\"bind\",\"source\":"
	"\"/run/kata-containers/sandbox/shm\",\"options\":[\"rbind\"]},"
	"{\"destination\":\"/data\",\"type\":\"local\",\"source\":\"/x\",\"options\":[\"bind\"]},"
	"{\"destination\":\"relative\",\"type\":\"bind\",\"source\":\"/y\"}],"
	"\"linux\":{\"cgroupsPath\":\"/kubepods/besteffort/podx/c1\",\"maskedPaths\":"
	"[\"/proc/kcore\"],\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"ipc\",\"path\":"
	"\"/var/run/sandbox-ns/ipc\"},{\"type\":\"mount\"}]}}";

static void test_spec(void **state)
{
	struct kata_spec s;
	char why[256] = "";
	struct ext_mount *ext;
	size_t n;

	(void)state;
	assert_int_equal(kata_spec_parse(spec_json, strlen(spec_json), &s, why, sizeof(why)), 0);
	check_str("root", s.root, "/run/kata-containers/c1/rootfs");
	check_int("readonly", s.root_readonly, 1);
	check_int("terminal", s.terminal, 0);
	check_int("args", s.args.n, 3);
	check_str("args", s.args.v[0], "python3");
	check_str("cgroup", s.cgroups_path, "/kubepods/besteffort/podx/c1");
	check_int("mounts (the relative one dropped)", s.n_mounts, 4);
	check_int("proc is no bind", s.mounts[0].bind, 0);
	check_int("type local, option bind", s.mounts[3].bind, 1);
	check_str("masked", s.masked.v[0], "/proc/kcore");
	check_int("ns", s.ns.n, 3);
	check_str("ns", s.ns.v[1], "ipc=/var/run/sandbox-ns/ipc");
	assert_int_equal(kata_external_mounts(&s, &ext, &n), 0);
	check_int("external", n, 3);
	check_str("hosts", ext[0].point, "/etc/hosts");
	check_str("hosts", ext[0].key, "etc_hosts");
	check_str("hosts", ext[0].source,
		  "/run/kata-containers/shared/containers/c1-0123456789abcdef-hosts");
	check_str("shm", ext[1].key, "dev_shm");
	check_str("shm", ext[1].source, "/run/kata-containers/sandbox/shm");
	free(ext);
	kata_spec_free(&s);
}

static void test_bad_specs(void **state)
{
	static const struct {
		const char *text, *why;
	} cases[] = {
		{"", "invalid JSON at line"},
		{"garbage {", "invalid JSON at line 1"},
		{"[1,2]", "not an OCI runtime spec"},
		{"{\"ociVersion\":\"1.0\"}", "no root.path"},
		{"{\"root\":{\"path\":\"\"}}", "no root.path"},
		{"{\"root\":{\"path\":\"/r\"},\"process\":{\"args\":[]}}", "no process.args"},
		{"{\"root\":{\"path\":\"/r\"}}", "no process.args"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kata_spec s;
		char why[256] = "";

		check_int(
			cases[i].text,
			kata_spec_parse(cases[i].text, strlen(cases[i].text), &s, why, sizeof(why)),
			-1);
		if (!strstr(why, cases[i].why))
			fail_msg("%s: why is \"%s\", want \"%s\"", cases[i].text, why,
				 cases[i].why);
		kata_spec_free(&s);
	}
}

static void test_cgroup_dirs(void **state)
{
	static const struct {
		const char *path, *want[3];
	} cases[] = {
		{"", {"/c1"}},
		{"/kubepods/besteffort/podx/c1", {"/kubepods/besteffort/podx/c1"}},
		{"kubepods/c1", {"/kubepods/c1"}},
		{"kubepods-besteffort-pod12.slice:cri-containerd:c1",
		 {"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod12.slice/"
		  "cri-containerd-c1.scope",
		  "/kubepods-besteffort-pod12.slice/cri-containerd/c1"}},
		{":kata:c1", {"/system.slice/kata-c1.scope", "//kata/c1"}},
		{"-.slice:p:n", {"/p-n.scope", "/-.slice/p/n"}},
		{"::", {"/system.slice/kata_agent-c1.scope", "///"}},
		{"a:b:c:d", {"/a:b:c:d"}},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct strv out = {0};
		size_t n = 0;

		assert_int_equal(kata_cgroup_dirs(cases[i].path, "c1", &out), 0);
		while (n < 3 && cases[i].want[n])
			n++;
		check_int(cases[i].path, out.n, n);
		for (size_t k = 0; k < n; k++)
			check_str(cases[i].path, out.v[k], cases[i].want[k]);
		strv_free(&out);
	}
}

static char py[] = "python3", dashc[] = "-c", x[] = "x", sh[] = "/bin/sh",
	    usrpy[] = "/usr/bin/python3";
static char *v_same[] = {py, dashc, x}, *v_prog[] = {usrpy}, *v_other[] = {sh};
static const struct strv same = {v_same, 3, 3}, prog = {v_prog, 1, 1}, other = {v_other, 1, 1};

static void test_pick_init(void **state)
{
	static const struct {
		const char *row;
		struct kata_candidate c[3];
		int need_args; /* kata-agent's children, not a cgroup's processes */
		long want;
	} cases[] = {
		{"nothing", {{0}}, 0, -1},
		{"the one with NSpid 1", {{10, 5, 100, 1, &same}, {11, 1, 101, 1, &other}}, 0, 1},
		{"kata-agent's children: NSpid 1 but another container's program",
		 {{10, 5, 100, 0, &same}, {11, 1, 101, 1, &other}},
		 1,
		 -1},
		{"kata-agent's children: NSpid 1 and the program",
		 {{10, 1, 100, 1, &other}, {11, 1, 101, 1, &prog}},
		 1,
		 1},
		{"of two pid 1s, the matching args",
		 {{10, 1, 100, 1, &other}, {11, 1, 101, 0, &same}},
		 0,
		 1},
		{"of two pid 1s alike, the earliest",
		 {{10, 1, 300, 1, &same}, {11, 1, 200, 1, &same}},
		 0,
		 1},
		{"shared pid ns: the agent's child running the program",
		 {{10, 7, 100, 0, &same}, {11, 8, 90, 1, &other}, {12, 9, 120, 1, &prog}},
		 1,
		 2},
		{"shared pid ns: no child of the agent runs it", {{10, 7, 100, 1, &other}}, 1, -1},
		{"unreadable command line, NSpid 1, in the cgroup", {{10, 1, 100, 1, NULL}}, 0, 0},
	};
	struct strv args = same;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = 0;

		while (n < 3 && cases[i].c[n].pid)
			n++;
		check_int(cases[i].row, kata_pick_init(cases[i].c, n, &args, cases[i].need_args),
			  cases[i].want);
	}
	check_int("same", kata_args_match(&same, &args), KATA_ARGS_SAME);
	check_int("program", kata_args_match(&prog, &args), KATA_ARGS_SAME_PROGRAM);
	check_int("other", kata_args_match(&other, &args), KATA_ARGS_DIFFER);
	check_int("none", kata_args_match(NULL, &args), KATA_ARGS_DIFFER);
}

static void test_cid(void **state)
{
	static const struct {
		const char *cid;
		int ok;
	} cases[] = {
		{"c1", 1}, {"0123abcdef", 1}, {"a.b_c-d", 1}, {"", 0},	  {".", 0},
		{"..", 0}, {"-x", 0},	      {"a/b", 0},     {"a b", 0},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_int(cases[i].cid, kata_cid_valid(cases[i].cid), cases[i].ok);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec),	    cmocka_unit_test(test_bad_specs),
		cmocka_unit_test(test_cgroup_dirs), cmocka_unit_test(test_pick_init),
		cmocka_unit_test(test_cid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
