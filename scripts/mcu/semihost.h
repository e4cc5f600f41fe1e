/* ARM semihosting (BKPT 0xAB on M-profile): what QEMU's -semihosting-config enable=on serves.
 * Only the calls the harness needs: write a string, read the command line, exit. */
#ifndef MCU_SEMIHOST_H
#define MCU_SEMIHOST_H

#define SYS_WRITE0 0x04
#define SYS_GET_CMDLINE 0x15
#define SYS_EXIT 0x18
#define ADP_STOPPED_APPLICATION_EXIT 0x20026
#define ADP_STOPPED_RUNTIME_ERROR 0x20023

static inline int semihost_call(int op, void *arg) {
  register int r0 __asm__("r0") = op;
  register void *r1 __asm__("r1") = arg;
  __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

void sh_puts(const char *s);
__attribute__((noreturn)) void sh_exit(int ok);
/* Copies the command line (QEMU: -semihosting-config arg=...) into buf; "" when unavailable. */
void sh_cmdline(char *buf, int len);
/* Prints "FAIL <msg>" and exits with a run-time error. */
__attribute__((noreturn)) void sh_fail(const char *msg);

#endif
