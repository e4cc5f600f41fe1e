/* Semihosting wrappers (see semihost.h). */
#include "semihost.h"

void sh_puts(const char *s) { semihost_call(SYS_WRITE0, (void *)s); }

void sh_exit(int ok) {
  /* 32-bit ARM SYS_EXIT takes the reason code itself in r1; QEMU exits 0 for ApplicationExit. */
  semihost_call(SYS_EXIT, (void *)(ok ? ADP_STOPPED_APPLICATION_EXIT : ADP_STOPPED_RUNTIME_ERROR));
  for (;;) {}
}

void sh_cmdline(char *buf, int len) {
  struct { char *buf; int len; } block = { buf, len };
  buf[0] = 0;
  if (semihost_call(SYS_GET_CMDLINE, &block) != 0) buf[0] = 0;
}

void sh_fail(const char *msg) {
  sh_puts("FAIL ");
  sh_puts(msg);
  sh_puts("\n");
  sh_exit(0);
}
