/**
 * @fileoverview Which torch.nn modules a safetensors state dict holds. `config.json` beside the
 * weights gives the constructor arguments as PyTorch names them (one object, or a list for a
 * chain of modules, each with an optional tensor-name "prefix"; schema in docs/importers.md;
 * `sru.SRU` arguments are read by ./sru.ts).
 * Without it, only what is unambiguous is inferred from tensor names and shapes: one recurrent
 * module (kind from the gate rows, layers from l{k}, bidirectional from _reverse, tanh, not
 * batch_first), optionally followed by one Linear fed by it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fail } from '../../errors.ts';
import type { Tensor } from '../../ir/types.ts';
import { isSruClass, sruFromConfig, type SruModule } from './sru.ts';
import { configReaders } from './config-readers.ts';
import { attentionFromConfig, isAttentionClass, type AttentionModule } from './attention.ts';

export interface RecurrentModule {
  kind: 'RNN' | 'GRU' | 'LSTM';
  module: string;
  prefix: string;
  inputSize: number;
  hiddenSize: number;
  numLayers: number;
  bidirectional: boolean;
  batchFirst: boolean;
  bias: boolean;
  nonlinearity: 'tanh' | 'relu';
  /** LSTM proj_size P (0: none): h = W_hr·(o ⊙ tanh(c)) has P features. */
  projSize: number;
}

export interface LinearModule {
  kind: 'Linear';
  module: string;
  prefix: string;
  inFeatures: number;
  outFeatures: number;
  bias: boolean;
}

export type ModuleSpec = RecurrentModule | LinearModule | SruModule | AttentionModule;

const RECURRENT_KEYS = ['input_size', 'hidden_size', 'num_layers', 'nonlinearity', 'bias', 'batch_first', 'dropout', 'bidirectional', 'proj_size'];
const LINEAR_KEYS = ['in_features', 'out_features', 'bias'];
/** Keys that do not change inference results. */
const IGNORED_KEYS = ['module', 'prefix', 'device', 'dtype'];

/** 'torch.nn.GRU', 'nn.GRU', 'GRU', 'torch.nn.modules.rnn.GRU' → 'GRU'; other packages' modules → undefined. */
function torchClass(module: string): string | undefined {
  const m = /^(?:(?:torch\.)?nn\.(?:modules\.\w+\.)?)?(RNN|GRU|LSTM|Linear)$/.exec(module);
  return m?.[1];
}

function moduleFromConfig(o: unknown, i: number, file: string): ModuleSpec {
  const at = `${file}: module ${i}`;
  if (typeof o !== 'object' || o === null || Array.isArray(o)) fail(`${at}: expected an object with "module" and the constructor arguments`);
  const c = o as Record<string, unknown>;
  if (typeof c.module !== 'string') fail(`${at}: "module" (e.g. "torch.nn.GRU") is missing`);
  const where = `${at} (${c.module})`;
  if (isSruClass(c.module)) return sruFromConfig(c, where);
  if (isAttentionClass(c.module)) return attentionFromConfig(c, where);
  const cls = torchClass(c.module) ?? fail(`${where}: module is not supported (rnnc reads torch.nn.RNN, GRU, LSTM, Linear, sru.SRU and rnnc.AttentionPool)`);
  const known = cls === 'Linear' ? LINEAR_KEYS : RECURRENT_KEYS;
  for (const key of Object.keys(c)) {
    if (!known.includes(key) && !IGNORED_KEYS.includes(key)) fail(`${where}: unknown constructor argument "${key}"`);
  }
  const { int, bool } = configReaders(c, where);
  const prefix = c.prefix ?? '';
  if (typeof prefix !== 'string') fail(`${where}: "prefix" must be a string`);
  if (cls === 'Linear') {
    return { kind: 'Linear', module: c.module, prefix, inFeatures: int('in_features'), outFeatures: int('out_features'), bias: bool('bias', true) };
  }
  const projSize = int('proj_size', 0, 0);
  if (projSize > 0 && cls !== 'LSTM') fail(`${where}: "proj_size" applies only to torch.nn.LSTM`);
  if (projSize > 0 && projSize >= int('hidden_size')) fail(`${where}: proj_size ${projSize} must be smaller than hidden_size ${c.hidden_size} (as PyTorch requires)`);
  const nl = c.nonlinearity ?? 'tanh';
  if (nl !== 'tanh' && nl !== 'relu') fail(`${where}: nonlinearity ${JSON.stringify(nl)} is not tanh or relu`);
  if (cls !== 'RNN' && c.nonlinearity !== undefined) fail(`${where}: "nonlinearity" applies only to torch.nn.RNN`);
  if (c.dropout !== undefined && typeof c.dropout !== 'number') fail(`${where}: "dropout" must be a number`);
  return {
    kind: cls as RecurrentModule['kind'], module: c.module, prefix, inputSize: int('input_size'), hiddenSize: int('hidden_size'),
    numLayers: int('num_layers', 1), bidirectional: bool('bidirectional', false), batchFirst: bool('batch_first', false),
    bias: bool('bias', true), nonlinearity: nl, projSize,
  };
}

const RECURRENT_NAME = /^(.*)(weight_ih|weight_hh|bias_ih|bias_hh|weight_hr)_l(\d+)(_reverse)?$/;

/** The one reading of a state dict without config.json, or an error saying why there is none. */
function inferModules(tensors: Map<string, Tensor>, file: string): ModuleSpec[] {
  const ask = 'write a config.json beside it (see docs/importers.md)';
  const prefixes = new Set<string>();
  const rest: string[] = [];
  for (const name of tensors.keys()) {
    const m = RECURRENT_NAME.exec(name);
    if (m) prefixes.add(m[1]);
    else rest.push(name);
  }
  if (prefixes.size !== 1) fail(`${file}: cannot infer the modules (${prefixes.size} recurrent modules found); ${ask}`);
  const p = [...prefixes][0];
  const get = (n: string) => tensors.get(`${p}${n}`);
  const ih = get('weight_ih_l0'), hh = get('weight_hh_l0'), hr = get('weight_hr_l0');
  if (!ih || !hh || ih.shape.length !== 2 || hh.shape.length !== 2) fail(`${file}: tensors '${p}weight_ih_l0' and '${p}weight_hh_l0' (2-D) are needed to infer the module; ${ask}`);
  // An LSTM with proj_size P: weight_hr_l0 [P, H], and weight_hh_l0 [4H, P] reads the projected h.
  if (hr && (hr.shape.length !== 2 || hr.shape[0] >= hr.shape[1] || hr.shape[0] !== hh.shape[1] || ih.shape[0] !== 4 * hr.shape[1])) {
    fail(`${file}: tensor '${p}weight_hr_l0' has shape [${hr.shape.join(',')}]: not [proj_size, hidden_size] of an LSTM whose '${p}weight_hh_l0' is [${hh.shape.join(',')}] (expected [4·hidden_size, proj_size], proj_size < hidden_size)`);
  }
  const H = hr ? hr.shape[1] : hh.shape[1];
  const out = hr ? hr.shape[0] : H; // features of h and of the output per direction
  const gates = H > 0 ? ih.shape[0] / H : 0;
  const kind = ({ 1: 'RNN', 3: 'GRU', 4: 'LSTM' } as const)[gates as 1 | 3 | 4]
    ?? fail(`${file}: '${p}weight_ih_l0' has ${ih.shape[0]} rows for hidden size ${H}: not H (RNN), 3H (GRU) or 4H (LSTM)`);
  let layers = 0;
  while (get(`weight_ih_l${layers}`)) layers++;
  const bidirectional = get('weight_ih_l0_reverse') !== undefined;
  const modules: ModuleSpec[] = [{
    kind, module: `torch.nn.${kind} (inferred)`, prefix: p, inputSize: ih.shape[1], hiddenSize: H, numLayers: layers,
    bidirectional, batchFirst: false, bias: get('bias_ih_l0') !== undefined, nonlinearity: 'tanh', projSize: hr ? out : 0,
  }];
  if (rest.length === 0) return modules;
  // One Linear after it is unambiguous: '<q>weight' [out, D·H] (D·P with a projection) and optionally '<q>bias' [out].
  const w = rest.find((n) => n.endsWith('weight'));
  const q = w?.slice(0, -'weight'.length);
  const lw = w ? tensors.get(w)! : undefined;
  const extra = rest.filter((n) => n !== w && n !== `${q}bias`);
  if (!lw || lw.shape.length !== 2 || lw.shape[1] !== (bidirectional ? 2 : 1) * out || extra.length) {
    fail(`${file}: tensor(s) ${rest.map((n) => `'${n}'`).join(', ')} are not a recurrent module's and not one Linear after it; ${ask}`);
  }
  modules.push({ kind: 'Linear', module: 'torch.nn.Linear (inferred)', prefix: q!, inFeatures: lw.shape[1], outFeatures: lw.shape[0], bias: tensors.has(`${q}bias`) });
  return modules;
}

/** Modules from `config.json` next to `file`, or inferred from the tensors when there is none. */
export function moduleSpecs(file: string, tensors: Map<string, Tensor>): { modules: ModuleSpec[]; configFile?: string } {
  const configFile = join(dirname(file), 'config.json');
  if (!existsSync(configFile)) return { modules: inferModules(tensors, file) };
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(configFile, 'utf8'));
  } catch (e) {
    return fail(`${configFile}: not valid JSON (${(e as Error).message})`);
  }
  const list = Array.isArray(json) ? json : [json];
  if (list.length === 0) fail(`${configFile}: lists no modules`);
  return { modules: list.map((o, i) => moduleFromConfig(o, i, configFile)), configFile };
}

