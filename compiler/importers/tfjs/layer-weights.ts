/**
 * @fileoverview Finding a layer's weights among the manifest's names. Names are scoped paths:
 * TF.js writes `lstm_LSTM1/kernel`, `bidirectional_B1/forward_lstm_L1/kernel`,
 * Python Keras (through tensorflowjs_converter) `lstm/lstm_cell/kernel` or `.../kernel:0`. A layer
 * owns every name under `<layer name>/`, keyed by the last path segment. Every weight must end
 * up in some layer: a leftover means a layer rnnc did not understand, and is reported.
 */
import { fail } from '../../errors.ts';
import type { Tensor } from '../../ir/types.ts';

export type NamedWeights = Map<string, { name: string; tensor: Tensor }>;

export class LayerWeights {
  private readonly taken = new Set<string>();

  constructor(private readonly all: Map<string, Tensor>, private readonly file: string) {}

  private under(prefix: string): [string, Tensor][] {
    return [...this.all].filter(([name]) => name.startsWith(`${prefix}/`));
  }

  private keyed(entries: [string, Tensor][], where: string): NamedWeights {
    const out: NamedWeights = new Map();
    for (const [name, tensor] of entries) {
      const key = name.split('/').at(-1)!.replace(/:\d+$/, '');
      if (out.has(key)) fail(`${this.file}: ${where}: two weights end in '${key}' ('${out.get(key)!.name}', '${name}')`);
      out.set(key, { name, tensor });
      this.taken.add(name);
    }
    return out;
  }

  /** The weights of layer `prefix`, by last segment (kernel, recurrent_kernel, bias). */
  take(prefix: string, where: string): NamedWeights {
    return this.keyed(this.under(prefix), where);
  }

  /** A Bidirectional wrapper's weights: its forward_* and backward_* sub-layers. */
  takeDirections(prefix: string, where: string): [NamedWeights, NamedWeights] {
    const fw: [string, Tensor][] = [];
    const bw: [string, Tensor][] = [];
    for (const e of this.under(prefix)) {
      const sub = e[0].slice(prefix.length + 1);
      if (sub.startsWith('forward_')) fw.push(e);
      else if (sub.startsWith('backward_')) bw.push(e);
      else fail(`${this.file}: ${where}: weight '${e[0]}' belongs to neither the forward_ nor the backward_ layer`);
    }
    return [this.keyed(fw, `${where} forward layer`), this.keyed(bw, `${where} backward layer`)];
  }

  /** Fails on a weight no layer claimed. */
  checkAllUsed(): void {
    for (const name of this.all.keys()) {
      if (!this.taken.has(name)) fail(`${this.file}: weight '${name}' belongs to no layer of the model`);
    }
  }
}

/** The named weight with the expected shape, or an error naming layer, weight and shapes. */
export function weightOf(w: NamedWeights, key: string, shape: number[], file: string, where: string): Tensor {
  const e = w.get(key) ?? fail(`${file}: ${where}: weight '${key}' is missing from the weights manifest`);
  const got = e.tensor.shape;
  if (got.length !== shape.length || got.some((d, i) => d !== shape[i])) {
    fail(`${file}: ${where}: weight '${e.name}' has shape [${got.join(',')}], expected [${shape.join(',')}]`);
  }
  return e.tensor;
}

/** Fails if the layer has weights besides the expected ones. */
export function noOtherWeights(w: NamedWeights, keys: string[], file: string, where: string): void {
  for (const [key, e] of w) {
    if (!keys.includes(key)) fail(`${file}: ${where}: unexpected weight '${e.name}' (expected ${keys.join(', ')})`);
  }
}
