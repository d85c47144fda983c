/*
 * fault: named points where criuctl stops itself, for tests that must
 * interrupt it at an exact step (as CRIU_FAULT does for criu).
 *
 * CRIUCTL_FAULT=NAME in criuctl's environment: at the point NAME criuctl
 * sends itself SIGSTOP; a test then kills it (SIGKILL), or signals it and
 * continues it (SIGTERM then SIGCONT), and checks that nothing was lost.
 * Points: before-criu (the preflight passed, criu not yet started),
 * deciding (criu asked at its point of no return, before criuctl's
 * pre-commit work), decided (criu was told to go on), commit (criu has
 * ended, the checkpoint is not yet committed), receive-restore (receive
 * has every image and the sender's RESTORE, nothing committed yet).
 */
#ifndef CRIUCTL_FAULT_H
#define CRIUCTL_FAULT_H

/* Stop here (SIGSTOP to criuctl itself) when CRIUCTL_FAULT names point. */
void fault_point(const char *point);

#endif
