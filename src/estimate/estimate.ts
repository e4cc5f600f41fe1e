/**
 * @fileoverview The estimator: per device and runtime, latency and energy per step, average power
 * and battery life at an inference rate, flash and RAM with fits / does not fit — each figure
 * with an uncertainty band built from how its inputs were sourced.
 *
 *   core instructions = Σ_op n_op · c_op(runtime, core, fpu)   (n from the instrumented module)
 *   cycles            = Σ_op n_op · k_op(runtime, core, fpu) · memory_factor(device)   where the runtime
 *                       has a cycle table for the core (fitted on QEMU mixes × timing tables);
 *                       otherwise instructions · CPI(core) · memory_factor(device)
 *   latency           = cycles / clock;   energy = latency · P_active
 *   P_avg             = d · P_active + (1 − d) · P_sleep,  d = min(1, rate · latency)
 *   battery life      = capacity · V / P_avg
 */
import type { DeviceProfile } from '../targets.ts';
import type { CostData, RuntimeCost } from './profile.ts';
import type { StepCounts } from './counts.ts';

export interface ModuleFacts {
  moduleBytes: number;
  codeBytes: number;
  dataBytes: number;
  memoryHighWater: number;
  pages: number;
}

export interface UsageOptions {
  /** Time steps per second. */
  rate: number;
  batteryMah: number;
  batteryVolts: number;
  /** Time steps per sequence for per-sequence figures (default: the model's own length, if known). */
  steps?: number;
}

export interface Estimate {
  target: string;
  runtime: string;
  core_instructions_per_step: number;
  cycles_per_step: number;
  /** How cycles were obtained: the runtime's per-core cycle table, or instructions × one CPI per core. */
  cycles_from: 'cycle table' | 'cpi';
  latency_us_per_step: number;
  energy_uj_per_step: number;
  average_power_mw: number;
  battery_life_days: number;
  flash_bytes: number;
  ram_bytes: number;
  fits: boolean;
  why: string;
  /** Relative 1-sigma uncertainty of each figure, and a summary grade. */
  confidence: { latency: number; energy: number; grade: 'high' | 'medium' | 'low' };
}

/** Uncertainty implied by a source's confidence mark. */
export function markBand(source: string | undefined, read: number, derived: number, unverified: number): number {
  if (!source || source.includes('?')) return unverified;
  if (source.includes('≈')) return derived;
  return read;
}

export function estimate(device: DeviceProfile, rt: RuntimeCost, cost: CostData, counts: StepCounts, mod: ModuleFacts, use: UsageOptions): Estimate {
  let instructions = 0, tableCycles = 0;
  const cyclesOf = rt.cyclesPerOp(device.core, device.fpu);
  // The firmware's call into step() (or run) costs what a call costs in that runtime (class:call:
  // wasm3 ≈ 98 instructions for call + entry + return, measured; wasm2c a C call) — per step, or
  // spread over the T steps of one run(T).
  const ops = { ...counts.opcodes, call: (counts.opcodes.call ?? 0) + (counts.entries_per_step ?? 1) };
  for (const [op, n] of Object.entries(ops)) {
    instructions += n * rt.perOp(op, device.core, device.fpu);
    if (cyclesOf) tableCycles += n * cyclesOf(op);
  }
  // Zero-wait-state cycles; the device's memory factor adds flash wait states / XIP on top.
  const coreCycles = cyclesOf ? tableCycles : instructions * (cost.cpi[device.core] ?? 1.5);
  const cycles = coreCycles * device.memory_factor;
  const latencyUs = cycles / device.clock_mhz;
  const energyUj = (latencyUs * device.active_mw) / 1000;
  const duty = Math.min(1, use.rate * latencyUs * 1e-6);
  const avgMw = duty * device.active_mw + (1 - duty) * (device.sleep_uw / 1000);
  const lifeDays = (use.batteryMah * use.batteryVolts) / avgMw / 24;
  // Interpreters keep the module in flash; AOT runtimes replace its code with native code.
  const moduleFlash = rt.codeBytesPerWasmByte ? mod.moduleBytes - mod.codeBytes + mod.codeBytes * rt.codeBytesPerWasmByte : mod.moduleBytes;
  const flash = Math.round(moduleFlash + rt.flashBytes);
  const linear = rt.memoryLimit ? mod.memoryHighWater : mod.pages * 65536;
  // Interpreters also hold their own compiled form of the code in RAM (large for weights as immediates).
  const ram = linear + rt.ramBytes + Math.round(mod.codeBytes * rt.codeRamPerWasmByte);
  const reasons: string[] = [];
  if (flash > device.flash_kb * 1024) reasons.push(`flash ${flash} B > ${device.flash_kb} KB`);
  if (ram > device.sram_kb * 1024) reasons.push(`RAM ${ram} B > ${device.sram_kb} KB`);
  if (duty >= 1) reasons.push(`a step takes ${Math.round(latencyUs)} µs, longer than the ${(1e6 / use.rate).toFixed(0)} µs period at ${use.rate}/s`);
  // Cycle tables: the fit's held-out band and the timing table's band; CPI: the instruction model's and the CPI's.
  const coreBand = cyclesOf ? Math.hypot(rt.cyclesBand(device.core) ?? rt.band, cost.timingBand[device.core] ?? cost.cpiBand) : Math.hypot(rt.band, cost.cpiBand);
  const lat = Math.hypot(coreBand, markBand(device.sources.memory_factor, 0.05, 0.15, 0.3));
  const en = Math.hypot(lat, markBand(device.sources.active_mw, 0.1, 0.25, 0.5));
  return {
    target: device.name, runtime: rt.name,
    core_instructions_per_step: Math.round(instructions), cycles_per_step: Math.round(cycles), cycles_from: cyclesOf ? 'cycle table' : 'cpi',
    latency_us_per_step: latencyUs, energy_uj_per_step: energyUj, average_power_mw: avgMw, battery_life_days: lifeDays,
    flash_bytes: flash, ram_bytes: ram, fits: reasons.length === 0, why: reasons.join('; ') || 'fits',
    confidence: { latency: lat, energy: en, grade: en <= 0.2 ? 'high' : en <= 0.45 ? 'medium' : 'low' },
  };
}
