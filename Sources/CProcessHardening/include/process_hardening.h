#ifndef PWVAULT_PROCESS_HARDENING_H
#define PWVAULT_PROCESS_HARDENING_H

/// Turns core dumps off for the calling process: RLIMIT_CORE 0 (soft and hard) and, on Linux,
/// PR_SET_DUMPABLE 0 (no core, and /proc/PID/mem, environ… closed to other processes of the
/// same user). prctl is variadic, so Swift cannot call it: this is the one C line pwvault needs.
/// Returns 0 on success, -1 if either call failed.
int pwvault_disable_core_dumps(void);

#endif
