/**
 * @fileoverview The emulated Cortex-M cores: which gcc -mcpu, which QEMU board, which linker
 * script (memory map) each one uses. The microbit is the only QEMU board with an ARMv6-M core
 * (Cortex-M0), and its 16 KiB of RAM is what makes the high-water-mark memory limit matter.
 */
export type McuCore = 'm0' | 'm3' | 'm4' | 'm7';

export interface CoreSpec {
  core: McuCore;
  cpu: string;
  machine: string;
  linkerScript: string;
  /** RAM of the board as the linker script gives it (data + bss + stack). */
  ramBytes: number;
  /** Stack the linker script keeps free at least. */
  minStackBytes: number;
  /** Has IT blocks (ARMv7-M): the calibration loop then executes 5n + 1 instructions, else 5n. */
  thumb2: boolean;
  /** gcc -mfpu of the core's FPU variant (Cortex-M4F, Cortex-M7 with FPU); none on M0/M3. */
  fpu?: string;
}

export const CORES: Record<McuCore, CoreSpec> = {
  m0: { core: 'm0', cpu: 'cortex-m0', machine: 'microbit', linkerScript: 'microbit.ld', ramBytes: 16 * 1024, minStackBytes: 1024, thumb2: false },
  m3: { core: 'm3', cpu: 'cortex-m3', machine: 'mps2-an385', linkerScript: 'mps2.ld', ramBytes: 256 * 1024, minStackBytes: 4096, thumb2: true },
  m4: { core: 'm4', cpu: 'cortex-m4', machine: 'mps2-an386', linkerScript: 'mps2.ld', ramBytes: 256 * 1024, minStackBytes: 4096, thumb2: true, fpu: 'fpv4-sp-d16' },
  m7: { core: 'm7', cpu: 'cortex-m7', machine: 'mps2-an500', linkerScript: 'mps2.ld', ramBytes: 256 * 1024, minStackBytes: 4096, thumb2: true, fpu: 'fpv5-d16' },
};

/**
 * Harness RAM besides the module's linear memory (instance, type table, a few statics, newlib's
 * small state), measured from the linked images; with the minimum stack it decides whether a
 * model fits a board before anything is built.
 */
export const HARNESS_RAM_BYTES = 512;

export function fitsCore(core: McuCore, highWater: number): boolean {
  const c = CORES[core];
  return Math.ceil(highWater / 8) * 8 + HARNESS_RAM_BYTES + c.minStackBytes <= c.ramBytes;
}

/**
 * gcc float flags: soft-float (libgcc __aeabi_*), or hard-float with the core's FPU (M4, M7 only).
 * Hard-float adds -ffp-contract=off: GCC's default (gnu modes) fuses a·b + c into vfma, one rounding
 * instead of wasm's two, and the module's outputs would no longer be those of the wasm engine.
 */
export function floatFlags(core: McuCore, hardFloat: boolean): string[] {
  if (!hardFloat) return ['-mfloat-abi=soft'];
  const fpu = CORES[core].fpu;
  if (!fpu) throw new Error(`mcu: ${core} has no FPU (hard-float builds: m4, m7)`);
  return ['-mfloat-abi=hard', `-mfpu=${fpu}`, '-ffp-contract=off'];
}
