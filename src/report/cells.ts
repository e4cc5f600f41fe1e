/**
 * @fileoverview The cell-type sweep behind `rnnc bench cells`: for every cell type × hidden size ×
 * quantization scheme, a synthetic single-layer model is compiled (synthetic calibration, loop
 * kernels) and measured: parameters and MACs per step (the op table's cost hooks), module bytes,
 * linear-memory high-water mark, executed wasm instructions per step (instrumented module), and
 * the estimator's latency and energy per step on a few reference targets. A scheme that refuses a
 * cell type (`--quant f32` for SRU and QRNN) gives a skipped cell with the compiler's message, not
 * a failed sweep.
 */
import { rmSync } from 'node:fs';
import { totalInstructions } from '../../compiler/build/instrument.ts';
import { fail, RnncError } from '../../compiler/errors.ts';
import { analyzeGraph } from '../analyze.ts';
import { DEFAULT_COMPILE, type CompileOptions } from '../compile.ts';
import { targetPairs, type ModelEstimates } from '../estimate/index.ts';
import type { UsageOptions } from '../estimate/estimate.ts';
import { estimateGraph } from './estimate-graph.ts';
import { CELL_TYPES, syntheticModelDir, type CellType } from './synthetic-models.ts';

export interface ReferenceTarget {
  /** Column label: the core class. */
  label: string;
  /** DEVICE/RUNTIME. */
  spec: string;
}

/**
 * rp2040 is the Cortex-M0+ (samd21 is one too, but its 32 KB SRAM holds few of the swept
 * modules); nrf52840 the Cortex-M4F; esp32 the Xtensa LX6; wasm2c the ahead-of-time column.
 */
export const REFERENCE_TARGETS: ReferenceTarget[] = [
  { label: 'M0+', spec: 'rp2040/wasm3' },
  { label: 'M4F', spec: 'nrf52840/wasm3' },
  { label: 'ESP32', spec: 'esp32/wasm3' },
  { label: 'M4F AOT', spec: 'nrf52840/wasm2c' },
];

export const SWEEP_HIDDEN = [16, 32, 64, 128];
export const SWEEP_QUANTS = ['f32', 'int16', 'int8x16', 'int8'];
export const SWEEP_INPUT_SIZE = 32;
/** Only duty cycle and battery life depend on these; the sweep reports per-step figures. */
export const SWEEP_USAGE: UsageOptions = { rate: 10, batteryMah: 220, batteryVolts: 3.0 };

export interface SweepGrid {
  cells: CellType[];
  hidden: number[];
  quants: string[];
  targets: ReferenceTarget[];
  inputSize: number;
  seed?: number;
  /** Called after each compile or skipped cell (progress). */
  onRow?: (row: SweepCell, done: number, total: number) => void;
}

export interface TargetFigures {
  spec: string;
  label: string;
  latency_us_per_step: number;
  energy_uj_per_step: number;
  /** Relative 1-sigma band of the energy figure. */
  energy_band: number;
  fits: boolean;
  why: string;
}

/** What every swept cell has, compiled or not: the graph's parameters and MACs (the op table's cost hooks). */
export interface SweepCell {
  cell: string;
  gates: number;
  hidden: number;
  input_size: number;
  quant: string;
  params: number;
  macs_per_step: number;
  /** The part of macs_per_step proportional to the input size: the input projection, which needs no state. */
  input_macs_per_step: number;
  /** The rest: the state-dependent work (recurrent matrix, or elementwise for SRU and QRNN). */
  state_macs_per_step: number;
}

/** A scheme the compiler refuses for this cell type; `reason` is its message. */
export interface SkippedCell extends SweepCell {
  reason: string;
}

export interface SweepRow extends SweepCell {
  flash_bytes: number;
  ram_bytes: number;
  wasm_ops_per_step: number;
  targets: TargetFigures[];
}

export interface SweepResult {
  date: string;
  input_size: number;
  compile: string;
  targets: ReferenceTarget[];
  /** The grid in sweep order (cell types by name). */
  grid: { cells: string[]; hidden: number[]; quants: string[] };
  rows: SweepRow[];
  skipped: SkippedCell[];
  seconds: number;
}

export const DEFAULT_GRID: Omit<SweepGrid, 'onRow'> = {
  cells: CELL_TYPES, hidden: SWEEP_HIDDEN, quants: SWEEP_QUANTS, targets: REFERENCE_TARGETS, inputSize: SWEEP_INPUT_SIZE,
};

export async function runCellSweep(grid: SweepGrid): Promise<SweepResult> {
  for (const t of grid.targets) {
    if (targetPairs(t.spec).length !== 1) fail(`reference target ${t.spec}: expected DEVICE/RUNTIME`);
  }
  const started = Date.now();
  const dir = syntheticModelDir();
  const rows: SweepRow[] = [];
  const skipped: SkippedCell[] = [];
  const total = grid.cells.length * grid.hidden.length * grid.quants.length;
  try {
    await sweepInto(rows, skipped, dir, grid, total);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    date: new Date().toISOString().slice(0, 10), input_size: grid.inputSize,
    compile: `quant per row, rescale ${DEFAULT_COMPILE.rescale}, io ${DEFAULT_COMPILE.io}, LUT 2^${DEFAULT_COMPILE.lutLog2N}, kernel loop, synthetic calibration, max_steps 1 (streaming)`,
    targets: grid.targets, grid: { cells: grid.cells.map((c) => c.name), hidden: grid.hidden, quants: grid.quants },
    rows, skipped, seconds: (Date.now() - started) / 1000,
  };
}

/** Parameters and MACs of the cell's graph; the input projection is the MAC count's slope in I, times I. */
function measureGraph(cell: CellType, dir: string, inputSize: number, hidden: number, seed: number) {
  const graph = cell.graph(dir, inputSize, hidden, seed);
  const { params, macs_per_step } = analyzeGraph(graph).totals;
  const narrower = analyzeGraph(cell.graph(dir, inputSize - 1, hidden, seed)).totals.macs_per_step;
  const input = inputSize * (macs_per_step - narrower);
  return { graph, params, macs_per_step, input_macs_per_step: input, state_macs_per_step: macs_per_step - input };
}

/** A scheme's refusal of a layer kind (`--quant f32 does not support SRU layers`): a skipped cell, not a failed sweep. */
const isSchemeRefusal = (e: unknown, quant: string) => e instanceof RnncError && e.message.includes(`--quant ${quant} does not support`);

async function sweepInto(rows: SweepRow[], skipped: SkippedCell[], dir: string, grid: SweepGrid, total: number): Promise<void> {
  let done = 0;
  for (const cell of grid.cells) {
    for (const hidden of grid.hidden) {
      const { graph, ...counts } = measureGraph(cell, dir, grid.inputSize, hidden, grid.seed ?? hidden);
      for (const quant of grid.quants) {
        const base: SweepCell = { cell: cell.name, gates: cell.gates, hidden, input_size: grid.inputSize, quant, ...counts };
        const o: CompileOptions = { ...DEFAULT_COMPILE, quant, kernel: 'loop' };
        // One compile, every device × runtime evaluated (arithmetic only), the reference ones kept.
        let est: ModelEstimates;
        try {
          est = await estimateGraph(graph, 'all', o, SWEEP_USAGE);
        } catch (e) {
          if (!isSchemeRefusal(e, quant)) throw e;
          const skip: SkippedCell = { ...base, reason: (e as Error).message };
          skipped.push(skip);
          grid.onRow?.(skip, ++done, total);
          continue;
        }
        const targets = grid.targets.map((t) => {
          const e = est.estimates.find((x) => `${x.target}/${x.runtime}` === t.spec)!;
          return {
            spec: t.spec, label: t.label, latency_us_per_step: e.latency_us_per_step, energy_uj_per_step: e.energy_uj_per_step,
            energy_band: e.confidence.energy, fits: e.fits, why: e.why,
          };
        });
        const row: SweepRow = {
          ...base, flash_bytes: est.module.module_bytes, ram_bytes: est.module.memory_high_water,
          wasm_ops_per_step: Math.round(totalInstructions(est.counts.classes)), targets,
        };
        rows.push(row);
        grid.onRow?.(row, ++done, total);
      }
    }
  }
}

/** The figures of one reference target in a row. */
export function figuresFor(row: SweepRow, spec: string): TargetFigures {
  const t = row.targets.find((x) => x.spec === spec);
  if (!t) throw new Error(`sweep row ${row.cell} H=${row.hidden} ${row.quant} has no target ${spec}`);
  return t;
}
