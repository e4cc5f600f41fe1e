/**
 * @fileoverview Keras `modelTopology` → one ordered chain of layers and the model's input.
 * Sequential models are chains by construction; a Functional model is accepted when it is a
 * linear chain (one input, one output, each layer fed by exactly the previous one), which is
 * what recurrent models for microcontrollers are. Branching graphs are refused by layer name.
 */
import { fail } from '../../errors.ts';

export interface KerasLayer {
  className: string;
  name: string;
  config: Record<string, unknown>;
}

export interface ModelChain {
  name: string;
  /** The graph input's name (Keras names a Sequential model's input `<first layer>_input`). */
  inputName: string;
  /** Declared input shape including the batch axis (null = unknown). */
  inputShape: (number | null)[];
  /** Layers in execution order, without the InputLayer. */
  layers: KerasLayer[];
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function asLayer(v: unknown, where: string): KerasLayer {
  if (!isObject(v) || typeof v.class_name !== 'string' || !isObject(v.config)) fail(`${where}: layer entry without class_name/config`);
  const name = typeof v.config.name === 'string' ? v.config.name : typeof v.name === 'string' ? v.name : '';
  if (!name) fail(`${where}: a ${v.class_name} layer has no name`);
  return { className: v.class_name, name, config: v.config };
}

/** The batch-including input shape a layer declares (batch_input_shape, batch_shape or input_shape). */
export function declaredInputShape(cfg: Record<string, unknown>): (number | null)[] | undefined {
  const shape = cfg.batch_input_shape ?? cfg.batch_shape;
  if (Array.isArray(shape)) return shape as (number | null)[];
  if (Array.isArray(cfg.input_shape)) return [null, ...(cfg.input_shape as (number | null)[])];
  return undefined;
}

export function modelChain(topology: unknown, file: string): ModelChain {
  if (!isObject(topology)) fail(`${file}: modelTopology is missing (not a TF.js layers model)`);
  // model.json from tensorflowjs_converter nests the model under 'model_config'.
  const model = isObject(topology.model_config) ? topology.model_config : topology;
  const cls = model.class_name;
  const cfg = model.config;
  if (cls === 'Sequential') return sequential(cfg, file);
  if (cls === 'Model' || cls === 'Functional') return functional(cfg, file);
  return fail(`${file}: model class ${JSON.stringify(cls)} is not supported (Sequential or a Functional chain)`);
}

function sequential(cfg: unknown, file: string): ModelChain {
  // Old Keras saved a Sequential's config as the bare layer list.
  const list = Array.isArray(cfg) ? cfg : isObject(cfg) && Array.isArray(cfg.layers) ? cfg.layers : fail(`${file}: Sequential model without layers`);
  const layers = list.map((l, i) => asLayer(l, `${file}: layer ${i}`));
  const name = isObject(cfg) && typeof cfg.name === 'string' ? cfg.name : 'sequential';
  if (layers.length === 0) fail(`${file}: the model has no layers`);
  const first = layers[0];
  if (first.className === 'InputLayer') {
    const shape = declaredInputShape(first.config) ?? fail(`${file}: InputLayer '${first.name}' declares no input shape`);
    return { name, inputName: first.name, inputShape: shape, layers: layers.slice(1) };
  }
  const shape = declaredInputShape(first.config)
    ?? fail(`${file}: layer '${first.name}' (${first.className}), the first layer, declares no batch_input_shape/input_shape`);
  return { name, inputName: `${first.name}_input`, inputShape: shape, layers };
}

/** [layer name, node index, tensor index] of one inbound tensor, in the Keras 2 or Keras 3 form. */
function inboundRef(node: unknown, where: string): string[] {
  if (Array.isArray(node)) {
    return node.map((t) => {
      if (!Array.isArray(t) || typeof t[0] !== 'string') fail(`${where}: malformed inbound_nodes entry`);
      if (t[1] !== 0 || t[2] !== 0) fail(`${where}: reads output ${t[1]}/${t[2]} of layer '${t[0]}' (shared layers or multi-output layers are not supported)`);
      if (isObject(t[3]) && Object.keys(t[3]).length) fail(`${where}: is called with extra arguments (${Object.keys(t[3]).join(', ')}), which are not supported`);
      return t[0] as string;
    });
  }
  if (isObject(node) && Array.isArray(node.args)) {
    if (isObject(node.kwargs) && Object.keys(node.kwargs).length) fail(`${where}: is called with extra arguments (${Object.keys(node.kwargs).join(', ')}), which are not supported`);
    return node.args.map((a) => {
      const hist = isObject(a) && isObject(a.config) ? a.config.keras_history : undefined;
      if (!Array.isArray(hist) || typeof hist[0] !== 'string') fail(`${where}: takes an input that is not a layer output`);
      return hist[0] as string;
    });
  }
  return fail(`${where}: malformed inbound_nodes entry`);
}

function functional(cfg: unknown, file: string): ModelChain {
  if (!isObject(cfg) || !Array.isArray(cfg.layers)) fail(`${file}: Functional model without layers`);
  const entries = cfg.layers as unknown[];
  const byName = new Map<string, { layer: KerasLayer; inbound: unknown[] }>();
  entries.forEach((e, i) => {
    const layer = asLayer(e, `${file}: layer ${i}`);
    if (byName.has(layer.name)) fail(`${file}: two layers are named '${layer.name}'`);
    byName.set(layer.name, { layer, inbound: isObject(e) && Array.isArray(e.inbound_nodes) ? e.inbound_nodes : [] });
  });
  const ends = (key: string) => {
    const v = cfg[key];
    const list = Array.isArray(v) && v.length && !Array.isArray(v[0]) ? [v] : (v as unknown[]);
    if (!Array.isArray(list) || list.length !== 1 || !Array.isArray(list[0])) {
      fail(`${file}: the model has ${Array.isArray(list) ? list.length : 'no'} ${key}; only one input and one output are supported`);
    }
    return String((list[0] as unknown[])[0]);
  };
  const inputName = ends('input_layers');
  const chain: KerasLayer[] = [];
  let cur = ends('output_layers');
  while (cur !== inputName) {
    const entry = byName.get(cur) ?? fail(`${file}: the model refers to a layer '${cur}' it does not define`);
    const where = `${file}: layer '${cur}' (${entry.layer.className})`;
    if (entry.inbound.length !== 1) fail(`${where}: is called ${entry.inbound.length} times; only a linear chain of layers is supported`);
    const refs = inboundRef(entry.inbound[0], where);
    if (refs.length !== 1) fail(`${where}: takes ${refs.length} inputs; only a linear chain of layers is supported`);
    if (chain.length > byName.size) fail(`${file}: the layers form a cycle`);
    chain.unshift(entry.layer);
    cur = refs[0];
  }
  const input = byName.get(inputName) ?? fail(`${file}: input layer '${inputName}' is not defined`);
  if (input.layer.className !== 'InputLayer') fail(`${file}: input '${inputName}' is a ${input.layer.className}, not an InputLayer`);
  const onChain = new Set([inputName, ...chain.map((l) => l.name)]);
  for (const name of byName.keys()) {
    if (!onChain.has(name)) fail(`${file}: layer '${name}' is not on the path from input to output; only a linear chain of layers is supported`);
  }
  const shape = declaredInputShape(input.layer.config) ?? fail(`${file}: InputLayer '${inputName}' declares no input shape`);
  return { name: typeof cfg.name === 'string' ? cfg.name : 'model', inputName, inputShape: shape, layers: chain };
}
