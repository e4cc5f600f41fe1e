/**
 * @fileoverview `rnnc analyze MODEL`: per-layer shapes, parameters, MACs and weight bytes; with
 * --target, latency, energy, flash and RAM estimates per device and runtime.
 */
import { basename, dirname } from 'node:path';
import { fail } from '../../compiler/errors.ts';
import { analyzeGraph } from '../analyze.ts';
import { estimateModel } from '../estimate/index.ts';
import { writeFilesAtomically } from '../io/atomic.ts';
import { loadModel } from '../model.ts';
import { analyzeHtml } from '../report/html.ts';
import { deviceProfiles } from '../targets.ts';
import { type Command, numberOption, printJson } from './command.ts';
import { compileOptions, QUANT_OPTIONS } from './compile-options.ts';
import { int, table } from './format.ts';

export const analyzeCommand: Command = {
  name: 'analyze',
  summary: 'per-layer shapes, parameters, MACs and weight bytes; estimates per target',
  usage: 'rnnc analyze MODEL [--target T|all] [--quant Q] [--rate HZ] [--battery-mAh C] [--steps N] [--html FILE] [--json]',
  help: [
    'MODEL            an .onnx file, or a folder holding model.onnx',
    '--target T       estimate for DEVICE, RUNTIME, DEVICE/RUNTIME or all (see rnnc targets): latency and',
    '                 energy per step, flash and RAM (module + runtime), fits or not, with an uncertainty band',
    '--quant Q        scheme for the estimate (default int8x16); --data/--calib optional (sizes do not depend on it)',
    '--rate HZ        time steps per second for average power and battery life (default 10)',
    '--battery-mAh C  battery capacity (default 220, a CR2032) at --battery-volts V (default 3.0)',
    '--steps N        time steps per sequence for the per-sequence latency, energy and op counts',
    '                 (default: the model\'s static sequence length, or a whole-sequence module\'s max_steps)',
    '--html FILE      also write a self-contained HTML report (tables and SVG charts; --target defaults to all)',
    '--json           print one JSON object instead of the tables',
    '',
    'MACs are per time step for recurrent layers (per batch element, all directions) and per',
    'output row for other layers. Weight bytes: f32 stores everything in 4 bytes; int16/int8',
    'store weight matrices in 2/1 bytes and biases in int32, as the fixed-point modules do.',
  ].join('\n'),
  options: {
    target: { type: 'string' }, data: { type: 'string' }, rate: { type: 'string' }, 'battery-mAh': { type: 'string' },
    'battery-volts': { type: 'string' }, steps: { type: 'string' }, html: { type: 'string' }, ...QUANT_OPTIONS,
  },
  async run([model], values) {
    const analysis = analyzeGraph(loadModel(model));
    const html = values.html as string | undefined;
    if (html === '') fail('--html: expected a file name');
    const spec = (values.target as string | undefined) ?? (html ? 'all' : undefined);
    const use = { rate: numberOption(values, 'rate', 10), batteryMah: numberOption(values, 'battery-mAh', 220), batteryVolts: numberOption(values, 'battery-volts', 3.0) };
    if (!(use.rate > 0)) fail('--rate must be positive');
    if (values.steps !== undefined) {
      const steps = numberOption(values, 'steps', 1);
      if (!Number.isInteger(steps) || steps < 1) fail(`--steps ${values.steps}: expected a whole number of time steps ≥ 1`);
      Object.assign(use, { steps });
    }
    const est = spec ? await estimateModel(model, spec, compileOptions(values), use) : undefined;
    if (html && est && spec) {
      const page = analyzeHtml({ analysis, est, use, spec, devices: deviceProfiles() });
      const [written] = writeFilesAtomically(dirname(html), [{ name: basename(html), bytes: page }]);
      if (!values.json) {
        console.log(`wrote ${written} (${est.estimates.length} targets)`);
        return 0;
      }
    }
    if (values.json) {
      printJson(est ? {
        ...analysis, quant: est.quant, module: est.module, op_counts_per_step: est.counts.classes, op_counts_method: est.counts.method,
        sequence_steps: est.sequence_steps ?? null, op_counts_per_sequence: est.counts_per_sequence ?? null, targets: est.estimates,
      } : analysis);
      return 0;
    }
    const rows = analysis.layers.map((l) => [
      l.name, l.op, `${l.input_shapes.join(' ')} → ${l.output_shapes.join(' ')}`, int(l.params), int(l.macs),
      l.macs_per, int(l.bytes.f32), int(l.bytes.int16), int(l.bytes.int8),
    ]);
    const t = analysis.totals;
    rows.push(['total', '', '', int(t.params), `${int(t.macs_per_step)} /step + ${int(t.macs_per_row)} /row`, '', int(t.bytes.f32), int(t.bytes.int16), int(t.bytes.int8)]);
    const io = (xs: { name: string; shape: string }[]) => xs.map((x) => `${x.name} ${x.shape}`).join(', ');
    console.log(`${analysis.model} (${Object.entries(analysis.meta).map(([k, v]) => `${k} ${v}`).join(', ')})`);
    console.log(`inputs: ${io(analysis.inputs)}\noutputs: ${io(analysis.outputs)}\n`);
    console.log(table(['layer', 'op', 'shapes', 'params', 'MACs', 'per', 'f32 B', 'int16 B', 'int8 B'], rows,
      [false, false, false, true, true, false, true, true, true]));
    if (est) {
      const pct = (x: number) => `±${Math.round(100 * x)}%`;
      const seq = est.sequence_steps ? `; a sequence is ${est.sequence_steps} steps` : '';
      console.log(`\nEstimates (${est.quant}; module ${int(est.module.module_bytes)} B, linear memory ${int(est.module.memory_high_water)} B; ${use.rate} steps/s, ${use.batteryMah} mAh${seq}):`);
      console.log(table(['target', 'runtime', 'kernel', 'µs/step', 'µs/sequence', 'µJ/step', 'avg mW', 'battery days', 'flash B', 'RAM B', 'fits', 'confidence'],
        est.estimates.map((e) => [e.target, e.runtime, `${e.kernel}${e.kernels.length > 1 ? ` (${e.kernels.filter((k) => k.kernel !== e.kernel).map((k) => `${k.kernel} ${k.latency_us_per_step.toFixed(0)} µs`).join(', ')})` : ''}`, e.latency_us_per_step.toFixed(0),
          e.latency_us_per_sequence === undefined ? '—' : e.latency_us_per_sequence.toFixed(0), e.energy_uj_per_step.toFixed(1), e.average_power_mw.toFixed(3),
          e.battery_life_days.toFixed(0), int(e.flash_bytes), int(e.ram_bytes), e.fits ? 'yes' : `no: ${e.why}`, `${e.confidence.grade} (${pct(e.confidence.energy)})`]),
        [false, false, false, true, true, true, true, true, true, true, false, false]));
    }
    return 0;
  },
};
