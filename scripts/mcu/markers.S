/* Marker functions bracketing the counted region, and calibration loops with a known number of
 * executed instructions, used to check the trace-based count on every counting run.
 * Written in assembly so their instruction counts do not depend on the compiler. */
  .syntax unified
  .thumb
  .text

  .global mcu_mark_begin
  .type mcu_mark_begin, %function
  .thumb_func
mcu_mark_begin:
  bx lr
  .size mcu_mark_begin, . - mcu_mark_begin

  .global mcu_mark_end
  .type mcu_mark_end, %function
  .thumb_func
mcu_mark_end:
  bx lr
  .size mcu_mark_end, . - mcu_mark_end

/* r0 = n >= 1: executes 2n + 1 instructions. */
  .global mcu_calib_loop
  .type mcu_calib_loop, %function
  .thumb_func
mcu_calib_loop:
1:
  subs r0, #1
  bne 1b
  bx lr
  .size mcu_calib_loop, . - mcu_calib_loop

/* r0 = n >= 7: on ARMv7-M executes 5n + 1 instructions (IT and its conditional instruction count
 * once each, whether or not the condition holds); on ARMv6-M (no IT) a conditional branch skips
 * the move once (at r0 == 7): 5n instructions. */
  .global mcu_calib_it
  .type mcu_calib_it, %function
  .thumb_func
mcu_calib_it:
1:
  cmp r0, #7
#if defined(__ARM_ARCH_7M__) || defined(__ARM_ARCH_7EM__)
  it eq
  moveq r1, r0
#else
  beq 2f
  movs r1, r0
2:
#endif
  subs r0, #1
  bne 1b
  bx lr
  .size mcu_calib_it, . - mcu_calib_it
