/**
 * @fileoverview `rnnc bench cells`: the cell-type sweep (src/report/cells.ts) — parameters, MACs,
 * module size, RAM, executed ops and estimated latency/energy per step for every cell type ×
 * hidden size × scheme — printed as a table and written to OUT/cells.md and OUT/cells.svg.
 */
import { fail } from '../../compiler/errors.ts';
import { writeFilesAtomically } from '../io/atomic.ts';
import { DEFAULT_GRID, runCellSweep, SWEEP_USAGE, type SweepGrid } from '../report/cells.ts';
import { cellsMarkdown, cellsTerminalRows, chartQuant, energyChart } from '../report/cells-doc.ts';
import { cellType, CELL_TYPES } from '../report/synthetic-models.ts';
import { schemeByName } from '../../compiler/quantize/schemes.ts';
import { type Command, printJson } from './command.ts';
import { table } from './format.ts';

const SUITES = ['cells'];

function list(v: unknown, fallback: string[]): string[] {
  return typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : fallback;
}

export const benchCommand: Command = {
  name: 'bench',
  summary: 'compare cell types: parameters, MACs, size, RAM and estimated cost per step (writes docs/cells.*)',
  usage: 'rnnc bench cells [--out DIR] [--cells LIST] [--hidden LIST] [--quants LIST] [--json]',
  takesModel: false,
  help: [
    'cells            sweep cell type × hidden size × scheme on synthetic single-layer models (input size',
    `                 ${DEFAULT_GRID.inputSize}), compile each, count executed ops and estimate latency and energy per step on`,
    `                 ${DEFAULT_GRID.targets.map((t) => `${t.spec} (${t.label})`).join(', ')}`,
    '--out DIR        write DIR/cells.md and DIR/cells.svg (default docs)',
    `--cells LIST     cell types, comma-separated (default ${CELL_TYPES.map((c) => c.name).join(',')})`,
    `--hidden LIST    hidden sizes (default ${DEFAULT_GRID.hidden.join(',')})`,
    `--quants LIST    schemes (default ${DEFAULT_GRID.quants.join(',')})`,
    '--json           print the sweep as one JSON object instead of the table',
  ].join('\n'),
  options: { out: { type: 'string' }, cells: { type: 'string' }, hidden: { type: 'string' }, quants: { type: 'string' } },
  async run([suite, ...extra], values) {
    if (!suite || !SUITES.includes(suite)) fail(`bench: expected a suite (${SUITES.join(', ')}), got ${suite ? `'${suite}'` : 'none'} (usage: ${this.usage})`);
    if (extra.length) fail(`bench: unexpected argument '${extra[0]}'`);
    const hidden = list(values.hidden, DEFAULT_GRID.hidden.map(String)).map((h) => {
      const n = Number(h);
      if (!Number.isInteger(n) || n < 1 || n > 1024) fail(`--hidden ${h}: expected an integer from 1 to 1024`);
      return n;
    });
    const quants = list(values.quants, DEFAULT_GRID.quants);
    for (const q of quants) schemeByName(q);
    const grid: SweepGrid = {
      ...DEFAULT_GRID, hidden, quants,
      cells: list(values.cells, DEFAULT_GRID.cells.map((c) => c.name)).map(cellType),
      onRow: process.stderr.isTTY ? (r, done, total) => process.stderr.write(`\r[${done}/${total}] ${r.cell} H=${r.hidden} ${r.quant}      `) : undefined,
    };
    const result = await runCellSweep(grid);
    if (process.stderr.isTTY) process.stderr.write('\n');
    const out = (values.out as string | undefined) ?? 'docs';
    const written = writeFilesAtomically(out, [
      { name: 'cells.md', bytes: cellsMarkdown(result, 'cells.svg') },
      { name: 'cells.svg', bytes: energyChart(result, chartQuant(result)) },
    ]);
    if (values.json) {
      printJson(result);
      return 0;
    }
    const t = cellsTerminalRows(result);
    console.log(`Cell sweep, input size ${result.input_size}: ${result.rows.length} compiles in ${result.seconds.toFixed(0)} s (estimates; ✗ = flash/RAM do not fit, † = a step outlasts the ${1000 / SWEEP_USAGE.rate} ms period at ${SWEEP_USAGE.rate}/s)\n`);
    console.log(table(t.header, t.rows, t.right));
    console.log(`\nwrote ${written.join(', ')}`);
    return 0;
  },
};
