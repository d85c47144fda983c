/*
 * interrupt: what criuctl does with SIGINT, SIGTERM and SIGHUP while it
 * runs criu.
 *
 * A command that runs criu (dump, restore, the selftest) must never die
 * between two of its steps: a signal that killed it while it commits a
 * checkpoint would lose both the tree (criu already ended it) and the
 * checkpoint.  So, for the whole command, one process-wide handler records
 * the signal (the first one's number is kept) and writes a byte to a pipe:
 * the supervisor's loop watches the pipe and decides what the signal means
 * at that moment (stop criu, or nothing once criu is past its point of no
 * return), and the steps outside the loop look at intr_signal() where
 * stopping is safe.  libuv's own uv_signal is not used for these signals:
 * it resets them to SIG_DFL when its last handle closes, which is exactly
 * the window that must not exist.
 */
#ifndef CRIUCTL_INTERRUPT_H
#define CRIUCTL_INTERRUPT_H

/* Install the handler for SIGINT, SIGTERM and SIGHUP (idempotent).
 * Returns 0, or -1 with errno set. */
int intr_install(void);

/* The first signal received since intr_install(), or 0. */
int intr_signal(void);

/* The read end of the pipe (non-blocking): one byte, the signal number,
 * per signal received; -1 before intr_install(). */
int intr_fd(void);

#endif
