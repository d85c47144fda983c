/*
 * interrupt: the recording handler (see interrupt.h).  The handler only
 * does what is async-signal-safe: store a sig_atomic_t and write(2) one
 * byte.  SA_RESTART, so that a step outside the loop (an fsync, a rename)
 * is not cut short by EINTR: it finishes, and the command looks at the
 * signal afterwards.
 */
#include "interrupt.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

static volatile sig_atomic_t first_signal;
static int pipe_fds[2] = {-1, -1};

static void on_signal(int sig)
{
	int saved = errno;
	unsigned char b = (unsigned char)sig;

	if (!first_signal)
		first_signal = sig;
	/* A full pipe loses a byte, not the signal: first_signal has it. */
	if (write(pipe_fds[1], &b, 1) < 0) {
	}
	errno = saved;
}

int intr_install(void)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
	struct sigaction sa = {.sa_handler = on_signal, .sa_flags = SA_RESTART};

	if (pipe_fds[0] >= 0)
		return 0;
	if (pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK) < 0)
		return -1;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(&sa.sa_mask, sigs[i]);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], &sa, NULL) < 0)
			return -1;
	return 0;
}

int intr_signal(void)
{
	return first_signal;
}

int intr_fd(void)
{
	return pipe_fds[0];
}
