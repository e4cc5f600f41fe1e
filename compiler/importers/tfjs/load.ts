/**
 * @fileoverview TF.js layers model (model.json + weight shards) → IR graph.
 *
 * The graph input is Keras's [batch, time, features] with a symbolic batch, so ONNX test data
 * written for the model's ONNX equivalent feeds it unchanged; the output is what Keras returns
 * (last hidden state [batch, units], or [batch, time, units] with return_sequences, through any
 * Dense heads). Layers: SimpleRNN, GRU, LSTM, Bidirectional(those), Dense, TimeDistributed(Dense),
 * Dropout. Anything else is an error naming the layer.
 */
import { readFileSync } from 'node:fs';
import { fail } from '../../errors.ts';
import type { Graph } from '../../ir/types.ts';
import { GraphBuilder } from '../graph-builder.ts';
import { LayerWeights, noOtherWeights, weightOf, type NamedWeights } from './layer-weights.ts';
import { recurrentLayer, type Ctx, type Flow } from './recurrent.ts';
import { isObject, modelChain, type KerasLayer } from './topology.ts';
import { readTfjsWeights } from './weights.ts';

const DENSE_ACTIVATIONS: Record<string, string | null> = { linear: null, relu: 'Relu', sigmoid: 'Sigmoid', tanh: 'Tanh', softmax: 'Softmax' };

export function loadTfjsModel(modelJsonPath: string): Graph {
  const file = modelJsonPath;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return fail(`${file}: ${err.code ? `cannot read (${err.code})` : `not valid JSON (${err.message})`}`);
  }
  if (!isObject(json)) fail(`${file}: not a TF.js model.json (expected a JSON object)`);
  if (json.format !== undefined && json.format !== 'layers-model') {
    fail(`${file}: format ${JSON.stringify(json.format)} is not supported (TF.js "layers-model" only; graph models are not)`);
  }
  const chain = modelChain(json.modelTopology, file);
  const weights = new LayerWeights(readTfjsWeights(json.weightsManifest, file), file);
  const b = new GraphBuilder(chain.name, file, { format: 'tfjs', producer: String(json.generatedBy ?? json.convertedBy ?? '') });
  const ctx: Ctx = { b, file };
  const shape = chain.inputShape;
  const features = shape.at(-1);
  if ((shape.length !== 3 && shape.length !== 2) || typeof features !== 'number' || features <= 0) {
    fail(`${file}: input '${chain.inputName}' has shape ${JSON.stringify(shape)}; expected [batch, time, features] with a known feature count`);
  }
  const dims = shape.length === 3 ? ['batch', shape[1] ?? 'time', features] : ['batch', features];
  let x: Flow = { name: b.input(chain.inputName, dims), layout: shape.length === 3 ? 'BTF' : 'BF', features };
  const start = x.name;
  for (const layer of chain.layers) x = convertLayer(ctx, layer, x, weights);
  weights.checkAllUsed();
  if (x.name === start) fail(`${file}: the model computes nothing (no layer besides inputs and Dropout)`);
  // Keras's output is batch-major; values inside stay time-major as recurrent ops want them.
  if (x.layout === 'TBF') x = { ...x, name: b.op('Transpose', [x.name], { perm: [1, 0, 2] }, 'output_btf', 'model output'), layout: 'BTF' };
  const last = chain.layers.at(-1)!;
  return b.finish([b.rename(x.name, last.name)]);
}

function convertLayer(ctx: Ctx, layer: KerasLayer, x: Flow, weights: LayerWeights): Flow {
  const where = `layer '${layer.name}' (${layer.className})`;
  const inner = () => {
    const l = layer.config.layer;
    if (!isObject(l) || typeof l.class_name !== 'string' || !isObject(l.config)) fail(`${ctx.file}: ${where}: has no wrapped layer`);
    return { className: l.class_name, name: layer.name, config: l.config } as KerasLayer;
  };
  switch (layer.className) {
    case 'Dropout':
      return x; // identity at inference
    case 'Dense':
      return dense(ctx, layer, x, weights.take(layer.name, where), where);
    case 'TimeDistributed': {
      const l = inner();
      if (l.className !== 'Dense') fail(`${ctx.file}: ${where}: wraps a ${l.className}; only TimeDistributed(Dense) is supported`);
      if (x.layout === 'BF') fail(`${ctx.file}: ${where}: expects a sequence input`);
      return dense(ctx, l, x, weights.take(layer.name, where), `layer '${layer.name}' (TimeDistributed(Dense))`);
    }
    case 'SimpleRNN': case 'GRU': case 'LSTM':
      return recurrentLayer(ctx, layer, x, [weights.take(layer.name, where)]);
    case 'Bidirectional':
      return recurrentLayer(ctx, inner(), x, weights.takeDirections(layer.name, where), layer.config.merge_mode === undefined ? 'concat' : layer.config.merge_mode);
    case 'InputLayer':
      return fail(`${ctx.file}: ${where}: an InputLayer in the middle of the model is not supported`);
    case 'Masking':
      return fail(`${ctx.file}: ${where}: Masking is not supported (rnnc runs every time step; masked steps would differ)`);
    default:
      return fail(`${ctx.file}: ${where}: layer type ${layer.className} is not supported (SimpleRNN, GRU, LSTM, Bidirectional, Dense, TimeDistributed(Dense), Dropout)`);
  }
}

/** Dense on the last axis (Keras applies it to every time step of a 3-D input, like TimeDistributed). */
function dense(ctx: Ctx, layer: KerasLayer, x: Flow, w: NamedWeights, where: string): Flow {
  const c = layer.config;
  const units = c.units;
  if (!Number.isInteger(units) || (units as number) <= 0) fail(`${ctx.file}: ${where}: units ${JSON.stringify(units)} is not a positive integer`);
  const actName = c.activation === undefined || c.activation === null ? 'linear' : c.activation;
  if (typeof actName !== 'string' || !(actName in DENSE_ACTIVATIONS)) {
    fail(`${ctx.file}: ${where}: activation ${JSON.stringify(actName)} is not supported for Dense (${Object.keys(DENSE_ACTIVATIONS).join(', ')})`);
  }
  const useBias = c.use_bias !== false;
  noOtherWeights(w, useBias ? ['kernel', 'bias'] : ['kernel'], ctx.file, where);
  const kernel = weightOf(w, 'kernel', [x.features, units as number], ctx.file, where);
  const { b } = ctx;
  let y = b.op('MatMul', [x.name, b.constant(`${layer.name}.kernel`, kernel)], {}, `${layer.name}.matmul`, where);
  if (useBias) {
    const bias = weightOf(w, 'bias', [units as number], ctx.file, where);
    y = b.op('Add', [y, b.constant(`${layer.name}.bias`, bias)], {}, `${layer.name}.biased`, where);
  }
  const op = DENSE_ACTIVATIONS[actName];
  if (op) y = b.op(op, [y], op === 'Softmax' ? { axis: -1 } : {}, `${layer.name}.${actName}`, where);
  return { name: y, layout: x.layout, features: units as number };
}
