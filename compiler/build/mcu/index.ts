/**
 * @fileoverview Validation on emulated microcontrollers: translate a compiled module with wasm2c,
 * build it bare-metal for a Cortex-M core, run it in QEMU through the module ABI, and count the
 * ARM instructions one step() executes. See docs/mcu.md.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CORES, fitsCore, type McuCore } from './cores.ts';
import { buildFirmware, ioBytes, type McuManifest } from './firmware.ts';
import { combineMixes, parseObjdump, type InstructionMix } from './mix.ts';
import { countInstructions, runFirmware } from './qemu.ts';

export { toolsAvailable } from './tools.ts';
export { CORES, fitsCore, floatFlags, type McuCore } from './cores.ts';
export { inputBytes, ioBytes, type McuManifest } from './firmware.ts';
export { classCounts, mixCycles, parseObjdump, type InstructionMix } from './mix.ts';

export interface McuRunOptions {
  wasm: Uint8Array;
  manifest: McuManifest;
  core: McuCore;
  /** One batch entry: per time step, input_step_elems values (floats for io f32, integers otherwise). */
  steps: Float32Array[];
  /** Count instructions (a second, traced QEMU run); default true. */
  count?: boolean;
  /** Steps to count (streamable: the first k step() calls; otherwise N of run(N) vs run(2N)); default 2. */
  countSteps?: number;
  /** wasm2c software bounds checks against the high-water mark; default true. */
  boundsChecks?: boolean;
  /** Keep the build directory (its path is returned) instead of deleting it. */
  keepDir?: boolean;
  /** Also record the executed-instruction mix (mix.ts) of every counted region; default false. */
  mix?: boolean;
  /** Build hard-float with the core's FPU (m4, m7; cores.ts floatFlags); default soft-float. */
  hardFloat?: boolean;
}

export interface McuResult {
  /** Raw bytes of each output as the module wrote it: seq outputs T slots, final outputs one. */
  outputs: Uint8Array[];
  /** The state region (state_ptr, state_bytes) after the sequence. */
  state: Uint8Array;
  /** Mean over the counted steps (exact per call; see stepCounts). NaN when count is false. */
  armInstructionsPerStep: number;
  /** Streamable: instructions of each counted step() call. Otherwise: [run(N), run(2N)]. */
  stepCounts: number[];
  /** With `mix`: the mix of each counted region (as stepCounts), and per step (their mean, or the run(2N) − run(N) difference over N). */
  stepMixes?: InstructionMix[];
  mixPerStep?: InstructionMix;
  /** Instructions of the calibration loops (n = calibN): must be 2n+1 and 5n+1 (5n on ARMv6-M). */
  calibration: { n: number; loop: number; it: number };
  /** Trace lines dropped as replays of an interrupted block (qemu.ts); 0 in every run so far. */
  traceReplays: number;
  /** Firmware sections: .text (+exidx), .rodata (the module's data segments and the baked input). */
  textBytes: number;
  rodataBytes: number;
  /** .data + .bss (linear memory of high_water bytes included) + the stack peak measured. */
  ramBytes: number;
  stackBytes: number;
  /** Size of the harness's linear-memory buffer: high_water rounded up to 8 (wasm2c's bound is high_water itself). */
  linearMemoryBytes: number;
  /** The wasm2c-translated module's own code and data segments (from the link map). */
  module: { textBytes: number; rodataBytes: number };
  dir?: string;
}

const CALIB_N = 1000;

/** The firmware's disassembly (raw bytes shown: their count is the instruction size). */
export function disassemble(elf: string): string {
  const r = spawnSync('arm-none-eabi-objdump', ['-d', elf], { encoding: 'utf8', maxBuffer: 256 << 20 });
  if (r.error || r.status !== 0) throw new Error(`mcu: arm-none-eabi-objdump -d failed: ${r.error?.message ?? r.stderr}`);
  return r.stdout;
}

export async function runOnQemu(o: McuRunOptions): Promise<McuResult> {
  const m = o.manifest, T = o.steps.length;
  if (!CORES[o.core]) throw new Error(`mcu: unknown core ${o.core}`);
  if (!fitsCore(o.core, m.memory.high_water)) throw new Error(`mcu: high-water mark ${m.memory.high_water} B does not fit ${o.core}'s RAM`);
  // A streamable module takes its steps one at a time (step()), so any length; run(T) needs T ≤ max_steps.
  if (T < 1 || (!m.streamable && T > m.max_steps)) throw new Error(`mcu: ${T} steps; the module takes 1…${m.max_steps}`);
  const countSteps = m.streamable ? Math.min(o.countSteps ?? 2, T) : Math.min(o.countSteps ?? 2, Math.floor(T / 2));
  const count = (o.count ?? true) && countSteps >= 1;
  const dir = mkdtempSync(join(tmpdir(), 'rnnc-mcu-'));
  try {
    const fw = buildFirmware(dir, {
      wasm: o.wasm, manifest: m, core: o.core, steps: o.steps, countSteps: Math.max(countSteps, 1),
      boundsChecks: o.boundsChecks ?? true, calibN: CALIB_N, hardFloat: o.hardFloat,
    });
    const printed = await runFirmware(o.core, fw.elf);
    const eb = ioBytes(m.io);
    const outputs = m.outputs.map((out, k) => {
      const bytes = printed.get(`o${k}`) ?? new Uint8Array();
      const want = (out.timing === 'seq' ? T : 1) * out.step_elems * eb;
      if (bytes.length !== want) throw new Error(`mcu: output ${k}: ${bytes.length} bytes printed, expected ${want}`);
      return bytes;
    });
    const state = printed.get('s') ?? new Uint8Array();
    if (state.length !== m.state.bytes) throw new Error(`mcu: state: ${state.length} bytes printed, expected ${m.state.bytes}`);
    const stackBytes = new DataView((printed.get('stack') ?? new Uint8Array(4)).buffer).getUint32(0, true);
    let stepCounts: number[] = [], perStep = NaN, traceReplays = 0, calibration = { n: CALIB_N, loop: NaN, it: NaN };
    let stepMixes: InstructionMix[] | undefined, mixPerStep: InstructionMix | undefined;
    if (count) {
      const insns = o.mix ? parseObjdump(disassemble(fw.elf)) : undefined;
      const { segments: seg, replays, mixes } = await countInstructions(o.core, fw.elf, fw.symbols, insns);
      traceReplays = replays;
      calibration = { n: CALIB_N, loop: seg[0], it: seg[1] };
      const itWant = CORES[o.core].thumb2 ? 5 * CALIB_N + 1 : 5 * CALIB_N;
      if (seg[0] !== 2 * CALIB_N + 1 || seg[1] !== itWant) {
        throw new Error(`mcu: instruction counting is not exact on this QEMU: calibration loops gave ${seg[0]} and ${seg[1]}, expected ${2 * CALIB_N + 1} and ${itWant}`);
      }
      stepCounts = seg.slice(2);
      const want = m.streamable ? countSteps : 2;
      if (stepCounts.length !== want) throw new Error(`mcu: ${stepCounts.length} counted regions, expected ${want}`);
      perStep = m.streamable ? stepCounts.reduce((a, b) => a + b, 0) / countSteps : (stepCounts[1] - stepCounts[0]) / countSteps;
      if (mixes) {
        stepMixes = mixes.slice(2);
        mixPerStep = m.streamable ? combineMixes(stepMixes.map((x) => [x, 1 / countSteps])) : combineMixes([[stepMixes[1], 1 / countSteps], [stepMixes[0], -1 / countSteps]]);
      }
    }
    return {
      outputs, state, armInstructionsPerStep: perStep, stepCounts, stepMixes, mixPerStep, calibration, traceReplays,
      textBytes: fw.sections.text, rodataBytes: fw.sections.rodata,
      ramBytes: fw.sections.data + fw.sections.bss + stackBytes, stackBytes,
      linearMemoryBytes: fw.symbols.get('linear_memory')?.size ?? NaN,
      module: { textBytes: fw.module.text, rodataBytes: fw.module.rodata },
      dir: o.keepDir ? dir : undefined,
    };
  } finally {
    if (!o.keepDir) rmSync(dir, { recursive: true, force: true });
  }
}
