/*
 * criuctl-hook: the action script criuctl gives criu (--action-script).
 *
 * criu runs every action script at each of its steps, with the step's name
 * in CRTOOLS_SCRIPT_ACTION, stdin closed, stdout and stderr on its log, and
 * takes a non-zero exit at "post-dump" as "do not end the tree: abort the
 * dump and resume it", and at "post-restore" as "abort the restore and
 * kill what was restored" (criu/cr-dump.c cr_dump_finish, cr-restore.c).
 * So at the step named by CRIUCTL_HOOK_ASK the hook asks the criuctl that
 * runs criu, over the socket hook.sock in the directory CRIUCTL_HOOK_DIR,
 * and exits 0 only on its "ok": a criuctl that is gone (killed, even with
 * SIGKILL) cannot say ok, and the tree lives.  Every other step passes at
 * once.
 *
 * A separate, small, static program, because criu runs it at every step of
 * every run: it must start in well under a millisecond and need nothing
 * but the kernel.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* Exit status when criuctl does not say ok: criu reports it as the
 * script's ("Post dump script passed with 1"). */
#define REFUSED 1

static int say(const char *action, const char *what, const char *detail)
{
	fprintf(stderr, "criuctl-hook: %s: %s%s%s\n", action, what, detail ? ": " : "",
		detail ? detail : "");
	return REFUSED;
}

/* Connect to DIR/hook.sock through the directory's fd: the socket path
 * stays short whatever DIR is (sun_path holds 108 bytes). */
static int connect_hook(const char *dir)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC), sk, rc;

	if (dfd < 0)
		return -1;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/hook.sock", dfd);
	sk = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	rc = sk < 0 ? -1 : connect(sk, (struct sockaddr *)&sa, sizeof(sa));
	if (rc < 0 && sk >= 0) {
		int saved = errno;

		close(sk);
		errno = saved;
		sk = -1;
	}
	close(dfd);
	return sk;
}

/* Ask, and read the one answer line into buf. */
static int ask(int sk, const char *action, char *buf, size_t size)
{
	char req[128];
	size_t got = 0;
	int n = snprintf(req, sizeof(req), "%s\n", action);

	if (n < 0 || (size_t)n >= sizeof(req) || write(sk, req, (size_t)n) != n)
		return -1;
	while (got + 1 < size) {
		ssize_t k = read(sk, buf + got, size - 1 - got);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		got += (size_t)k;
		if (memchr(buf, '\n', got))
			break;
	}
	buf[got] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return got ? 0 : -1;
}

int main(void)
{
	const char *action = getenv("CRTOOLS_SCRIPT_ACTION");
	const char *want = getenv("CRIUCTL_HOOK_ASK");
	const char *dir = getenv("CRIUCTL_HOOK_DIR");
	char answer[256];
	int sk;

	if (!action || !want || !dir) {
		fprintf(stderr, "criuctl-hook: criu runs this as criuctl's action script; "
				"it is not for use by hand\n");
		return 2;
	}
	if (strcmp(action, want) != 0)
		return 0;
	sk = connect_hook(dir);
	if (sk < 0)
		return say(action, "criuctl is gone, criu must not go on", strerror(errno));
	if (ask(sk, action, answer, sizeof(answer)) < 0)
		return say(action, "criuctl did not answer, criu must not go on", NULL);
	close(sk);
	if (strcmp(answer, "ok") == 0)
		return 0;
	return say(action, "criuctl said no", strncmp(answer, "no ", 3) == 0 ? answer + 3 : answer);
}
