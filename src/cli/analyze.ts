/**
 * @fileoverview `rnnc analyze MODEL`: per-layer shapes, parameters, MACs and weight bytes.
 */
import { analyzeGraph } from '../analyze.ts';
import { loadModel } from '../model.ts';
import { type Command, printJson } from './command.ts';
import { int, table } from './format.ts';

export const analyzeCommand: Command = {
  name: 'analyze',
  summary: 'per-layer shapes, parameters, MACs and weight bytes',
  usage: 'rnnc analyze MODEL [--json]',
  help: [
    'MODEL        an .onnx file, or a folder holding model.onnx',
    '--json       print one JSON object instead of the table',
    '',
    'MACs are per time step for recurrent layers (per batch element, all directions) and per',
    'output row for other layers. Weight bytes: f32 stores everything in 4 bytes; int16/int8',
    'store weight matrices in 2/1 bytes and biases in int32, as the fixed-point modules do.',
  ].join('\n'),
  options: {},
  run([model], values) {
    if (!model) throw new Error('usage');
    const analysis = analyzeGraph(loadModel(model));
    if (values.json) {
      printJson(analysis);
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
    return 0;
  },
};
