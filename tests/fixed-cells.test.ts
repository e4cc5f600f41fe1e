// The AssemblyScript cells (runtime-as/cells) against the TypeScript simulator cells
// (compiler/fixed/cells), the specification: random valid cells are serialized with
// MemoryImage into a compiled module's memory, stepped in both, and h (and C) compared bit
// for bit after every step, for each V/W instantiation (int8x16, int8, int16 schemes).
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { compileAssemblyScript, listImports, validateWasm } from '../compiler/build/asc.ts';
import { MemoryImage, serializeCell } from '../compiler/codegen/memory-image.ts';
import { ACT_FIELDS, CELL_FIELDS, MAT_FIELDS, descriptorBytes, fieldOffsets } from '../compiler/fixed/cells/layout.ts';
import * as C from '../compiler/fixed/cells/common.ts';
import type { Vec } from '../compiler/fixed/cells/common.ts';
import { rnnStep, type RnnCell } from '../compiler/fixed/cells/rnn.ts';
import { gruStep, type GruCell } from '../compiler/fixed/cells/gru.ts';
import { lstmStep, type LstmCell } from '../compiler/fixed/cells/lstm.ts';
import { fullRange, NO_MAT, randomCells, SCHEMES, type Scheme } from './helpers/random-cells.ts';

const KINDS = ['RNN', 'GRU', 'LSTM'] as const; // the cells of runtime-as/cells
type Kind = (typeof KINDS)[number];
const CELLS = ['rnn', 'gru', 'lstm'] as const;
const TEST_MODULE = CELLS.map((c) => `import { ${c}Step } from './runtime-as/cells/${c}';\n`).join('')
  + CELLS.flatMap((c) => SCHEMES.map(({ name }) => `export function ${c}_${name}(desc: usize): void { ${c}Step<${name.replace('_', ', ')}>(desc); }\n`)).join('')
  // The shared helpers, for edge cases (rounding ties) that random cells almost never hit.
  + `import { mulQ15, preActivation, rescale, roundingShiftRight64, satVec } from './runtime-as/cells/common';
export { mulQ15, preActivation, rescale, roundingShiftRight64 };
export function satVec_i8(x: i32): i32 { return satVec<i8>(x); }
export function satVec_i16(x: i32): i32 { return satVec<i16>(x); }\n`;
const BASE = 65536; // the image's first byte; the module's own static data stays below
const STEPS = 4;

const { randInt, pick, randomFill, randRescale, randMat, randAct } = randomCells(20261127);
const randClip = (on: boolean) => (on ? randInt(256, 32767) : 0);

interface Variant { label: string; kind: Kind; make: (s: Scheme, I: number, H: number) => Record<string, unknown> }
const buffers = (s: Scheme, I: number, H: number) => ({ I, H, h: randomFill(new s.V(H)), v: new s.V(I + H) });
const rnn = (clip: boolean): Variant => ({
  label: `RNN${clip ? ' clip' : ''}`, kind: 'RNN', make: (s, I, H) => ({
    ...buffers(s, I, H), gates: randMat(s, H, I + H), act: randAct('tanh', 12, randInt(...s.fh)), clipQ: randClip(clip), acc: new Int32Array(H),
  } satisfies RnnCell),
});
const gru = (lbr: boolean, clip: boolean): Variant => ({
  label: `GRU lbr=${+lbr}${clip ? ' clip' : ''}`, kind: 'GRU', make: (s, I, H) => ({
    ...buffers(s, I, H), linearBeforeReset: lbr, gatesZR: randMat(s, 2 * H, I + H),
    cand: randMat(s, H, lbr ? I : I + H), candH: lbr ? randMat(s, H, H) : NO_MAT,
    f: randAct('sigmoid', 12, 15), g: randAct('tanh', 12, randInt(...s.fh)), clipGateQ: randClip(clip), clipCandQ: randClip(clip),
    acc: new Int32Array(3 * H), zr: new Int16Array(2 * H),
  } satisfies GruCell),
});
const lstm = (label: string, peep: boolean, inputForget: boolean, clip: boolean): Variant => ({
  label: `LSTM${label}`, kind: 'LSTM', make: (s, I, H) => {
    const fh = randInt(...s.fh), fc = randInt(9, 13);
    const peepRescale = Array.from({ length: 3 }, () => randRescale(27) /* |P·C| up to 2^30 */);
    return {
      ...buffers(s, I, H), inputForget, gates: randMat(s, 4 * H, I + H),
      f: randAct('sigmoid', 12, 15), g: randAct('tanh', 12, fh), hAct: randAct('tanh', fc, pick([fh, 15])),
      peep: peep ? randomFill(new Int16Array(3 * H)) : new Int16Array(0),
      peepMult: Int32Array.from(peep ? peepRescale.map((r) => r[0]) : []), peepShift: Int32Array.from(peep ? peepRescale.map((r) => r[1]) : []),
      fc, fh, clipQ: randClip(clip), clipCandQ: randClip(clip),
      cState: randomFill(new Int16Array(H)), acc: new Int32Array(4 * H),
    } satisfies LstmCell;
  },
});
const VARIANTS = [rnn(false), rnn(true), gru(false, false), gru(true, false), gru(false, true), gru(true, true),
  lstm('', false, false, false), lstm(' peepholes', true, false, false), lstm(' input_forget', false, true, false),
  lstm(' peepholes+input_forget', true, true, false), lstm(' clip', false, false, true), lstm(' peepholes+clip', true, false, true)];
const STEP_TS: Record<Kind, (c: never) => void> = { RNN: rnnStep, GRU: gruStep, LSTM: lstmStep };

let wasm: Uint8Array<ArrayBuffer>;
let exp: Record<string, (...args: (number | bigint)[]) => number | bigint> & { memory: WebAssembly.Memory };
beforeAll(async () => {
  ({ wasm } = await compileAssemblyScript({ files: { 'cells.ts': TEST_MODULE }, entry: 'cells.ts', extraArgs: ['--initialMemory', '8'] }));
  exp = new WebAssembly.Instance(new WebAssembly.Module(wasm)).exports as typeof exp;
}, 60_000);

/** State and scratch arrays: zero-initialised buffers of the image; everything else is a constant. */
const BUFFERS = ['h', 'cState', 'v', 'acc', 'zr'] as const;

/** Lays the cell out (buffers bound first, as serializeCell requires); returns its descriptor address. */
function layOut(img: MemoryImage, kind: Kind, cell: Record<string, unknown>): number {
  for (const name of BUFFERS) {
    const a = cell[name] as Vec | Int32Array | undefined;
    if (a) img.buffer(name, a.byteLength, a);
  }
  return serializeCell(img, kind, cell);
}

/** Copies the image into wasm memory (buffers zeroed, constants at constStart); returns a view factory. */
function load(img: MemoryImage): <T extends Vec | Int32Array>(a: T) => T {
  const mem = exp.memory.buffer;
  if (img.end > mem.byteLength) throw new Error(`image end ${img.end} beyond memory ${mem.byteLength}`);
  new Uint8Array(mem, img.base, img.end - img.base).fill(0);
  new Uint8Array(mem).set(img.data, img.constStart);
  return (a) => new (a.constructor as Int32ArrayConstructor)(mem, img.addressOf(a), a.length) as unknown as typeof a;
}

describe('AssemblyScript cells equal the TypeScript simulator bit for bit', () => {
  it('the test module is import-free and validates with every post-MVP feature off', async () => {
    expect(listImports(wasm)).toEqual([]);
    await validateWasm(wasm, {});
  });

  it('shared helpers equal common.ts on edges and rounding ties', () => {
    const I32 = [-2147483648, -2147483647, -65537, -32769, -32768, -16385, -16384, -129, -128, -1, 0, 1, 127, 128,
      16384, 32767, 32768, 65536, 2147483647, ...Array.from({ length: 200 }, () => randInt(-(2 ** 31), 2 ** 31 - 1))];
    const GATES = [-32768, -32767, -16384, -1, 0, 1, 3, 16384, 32767, ...Array.from({ length: 20 }, () => randInt(-32768, 32767))];
    for (let k = 0; k <= 40; k++) { // ties (odd multiples of 2^(k-1)) and their neighbours, |x| < 2^52
      const xs = [0, 1, -1, ...[1, 3, 5, 2 ** 20 + 1].flatMap((m) => [m * 2 ** (k - 1), -m * 2 ** (k - 1)]).filter(Number.isInteger)];
      for (const x of xs.flatMap((x) => [x - 1, x, x + 1]).concat(I32.map((x) => x * 2 ** 20)).filter((x) => Math.abs(x) < 2 ** 52)) {
        expect(exp.roundingShiftRight64(BigInt(x), k), `rs64(${x}, ${k})`).toBe(BigInt(C.roundingShiftRight64(x, k)));
      }
    }
    const ties = [16384, -16384, 3 * 16384, -3 * 16384, 16383, 16385];
    for (const g of GATES) for (const b of I32.concat(ties)) expect(exp.mulQ15(g, b), `mulQ15(${g}, ${b})`).toBe(C.mulQ15(g, b));
    for (const x of I32) {
      for (const clipQ of [0, 1, 100, 4096, 32767]) expect(exp.preActivation(x, clipQ)).toBe(C.preActivation(x, clipQ));
      for (const [m, sh] of [[0, 0], [0, 4], [0, 20], [0, -3], [2 ** 30, 0], [2 ** 31 - 1, 2], [1518500250, -20]]) {
        expect(exp.rescale(x, m, sh), `rescale(${x}, ${m}, ${sh})`).toBe(C.rescale(x, m, sh));
      }
      expect([exp.satVec_i8(x), exp.satVec_i16(x)]).toEqual([C.satVec(new Int8Array(0), x), C.satVec(new Int16Array(0), x)]);
    }
  });

  it('desc.ts offsets equal layout.ts fieldOffsets()', () => {
    const src = readFileSync(new URL('../runtime-as/cells/desc.ts', import.meta.url), 'utf8');
    const ns: Record<string, Record<string, number>> = {};
    for (const [, name, body] of src.matchAll(/export namespace (\w+) \{([\s\S]*?)\n\}/g)) {
      ns[name] = Object.fromEntries([...body.matchAll(/export const (\w+): usize = (\d+);/g)].map(([, k, v]) => [k, Number(v)]));
    }
    const names = (o: Record<string, number>) => Object.keys(o).filter((k) => k !== 'bytes');
    expect(names(ns.MAT)).toEqual([...MAT_FIELDS]);
    expect(names(ns.ACT)).toEqual([...ACT_FIELDS]);
    expect([ns.MAT.bytes, ns.ACT.bytes]).toEqual([4 * MAT_FIELDS.length, 4 * ACT_FIELDS.length]);
    for (const kind of KINDS) {
      const mine = ns[kind], want = fieldOffsets(kind), got = new Map<string, number>();
      expect(names(mine), kind).toEqual(CELL_FIELDS[kind].map(([n]) => n));
      for (const [name, k] of CELL_FIELDS[kind]) {
        const sub = k === 'mat' ? ns.MAT : k === 'act' ? ns.ACT : undefined;
        if (sub) for (const s of names(sub)) got.set(`${name}.${s}`, mine[name] + sub[s]);
        else got.set(name, mine[name]);
      }
      expect(got, kind).toEqual(want);
      expect(mine.bytes, kind).toBe(descriptorBytes(kind));
    }
  });

  for (const s of SCHEMES) {
    it(`every cell variant, I in {1,3,7,32}, H in {1,5,16,33}, ${STEPS} steps: V/W = ${s.name}`, () => {
      let compared = 0, moving = 0;
      for (const variant of VARIANTS) {
        for (const I of [1, 3, 7, 32]) {
          for (const H of [1, 5, 16, 33]) {
            const cell = variant.make(s, I, H);
            const where = `${variant.label} ${s.name} I=${I} H=${H}`;
            const img = new MemoryImage(BASE);
            const desc = layOut(img, variant.kind, cell);
            const view = load(img);
            const h = cell.h as Vec, v = cell.v as Vec, cState = cell.cState as Int16Array | undefined;
            const [wh, wv, wc] = [view(h), view(v), cState && view(cState)];
            wh.set(h); // the random initial state (buffers start zeroed)
            if (cState) wc!.set(cState);
            for (let t = 0; t < STEPS; t++) {
              const x = randomFill(new (v.constructor as typeof Int16Array)(I));
              v.set(x); wv.set(x);
              const before = Array.from(h);
              STEP_TS[variant.kind](cell as never);
              exp[`${variant.kind.toLowerCase()}_${s.name}`](desc);
              expect(Array.from(wh), `${where} step ${t} h`).toEqual(Array.from(h));
              if (cState) expect(Array.from(wc!), `${where} step ${t} C`).toEqual(Array.from(cState));
              compared += H;
              const [lo, hi] = fullRange(h);
              moving += h.filter((y, j) => y !== before[j] && y > lo && y < hi).length;
            }
          }
        }
      }
      // The comparison means little if every state saturates or freezes: require real dynamics.
      console.info(`${s.name}: ${compared} h values compared, ${(100 * moving / compared).toFixed(0)}% changed and unsaturated`);
      expect(moving / compared).toBeGreaterThan(0.3);
    });
  }
});
