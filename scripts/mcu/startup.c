/* Minimal Cortex-M start-up (ARMv6-M and ARMv7-M): vector table, .data copy, .bss clear, main.
 * No interrupts are enabled; any fault reports over semihosting and ends the run. */
#include <stdint.h>
#include "semihost.h"

extern uint32_t _estack, _sidata, _sdata, _edata, _sbss, _ebss;
int main(void);

__attribute__((noreturn)) void Reset_Handler(void) {
  uint32_t *src = &_sidata, *dst = &_sdata;
  while (dst < &_edata) *dst++ = *src++;
  for (dst = &_sbss; dst < &_ebss;) *dst++ = 0;
#if defined(__ARM_FP)
  /* Hard-float builds: enable CP10/CP11 (the FPU) in CPACR before any float instruction. */
  *(volatile uint32_t *)0xE000ED88 |= 0xFu << 20;
  __asm__ volatile("dsb\n\tisb");
#endif
  main();
  sh_exit(1);
}

__attribute__((noreturn)) void Fault_Handler(void) { sh_fail("cpu fault (HardFault/NMI/other exception)"); }

__attribute__((section(".isr_vector"), used)) void *const vector_table[16] = {
  (void *)&_estack, (void *)Reset_Handler,
  (void *)Fault_Handler, (void *)Fault_Handler, (void *)Fault_Handler, (void *)Fault_Handler, (void *)Fault_Handler,
  0, 0, 0, 0,
  (void *)Fault_Handler, (void *)Fault_Handler, 0, (void *)Fault_Handler, (void *)Fault_Handler,
};
