// The AssemblyScript SRU and QRNN cells (runtime-as/cells/{sru,qrnn}.ts) against the TypeScript
// simulator cells (compiler/fixed/cells/{sru,qrnn}.ts), the specification: random valid cells
// are serialized with MemoryImage into a compiled module's memory, stepped in both, and h, the
// cell state C and QRNN's previous input compared bit for bit after every step, for each V/W
// instantiation (int8x16, int8, int16 schemes). Also: desc.ts offsets equal layout.ts.
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { compileAssemblyScript, listImports, validateWasm } from '../compiler/build/asc.ts';
import { MemoryImage, serializeCell } from '../compiler/codegen/memory-image.ts';
import { CELL_FIELDS, descriptorBytes, fieldOffsets } from '../compiler/fixed/cells/layout.ts';
import type { QAct, Vec } from '../compiler/fixed/cells/common.ts';
import { sruStep, type SruCell } from '../compiler/fixed/cells/sru.ts';
import { qrnnStep, type QrnnCell } from '../compiler/fixed/cells/qrnn.ts';
import { fullRange, randomCells, SCHEMES, type Scheme } from './helpers/random-cells.ts';

const KINDS = ['SRU', 'QRNN'] as const;
type Kind = (typeof KINDS)[number];
const TEST_MODULE = KINDS.map((k) => `import { ${k.toLowerCase()}Step } from './runtime-as/cells/${k.toLowerCase()}';\n`).join('')
  + KINDS.flatMap((k) => SCHEMES.map(({ name }) => `export function ${k}_${name}(desc: usize): void { ${k.toLowerCase()}Step<${name.replace('_', ', ')}>(desc); }\n`)).join('');
const BASE = 65536; // the image's first byte; the module's own static data stays below
const STEPS = 5;

const { rand, randInt, pick, randomFill, randRescale, randMat, randAct } = randomCells(20260311);
const NO_ACT: QAct = { kind: 0, table: new Int16Array(0), log2N: 0, inFrac: 0, outFrac: 0 };

/** A rescale of an input element (|x| up to 2^15 or 2^7) to about 2^13: shift either way, or a multiplier. */
function randInputRescale(s: Scheme): [number, number] {
  const logX = s.V === Int8Array ? 6 : 14;
  if (rand() < 0.5) return [0, logX - 13 + randInt(-2, 2)];
  return [randInt(2 ** 30, 2 ** 31 - 1), 13 - logX + randInt(-2, 2)];
}

/** Working format fw and h format fh: int8 vectors sit about 8 bits below the 16-bit working format. */
function formats(s: Scheme): { fw: number; fh: number } {
  const fw = randInt(9, 14);
  return { fw, fh: s.V === Int8Array ? fw - randInt(7, 9) : fw - randInt(0, 1) };
}

interface Variant { label: string; kind: Kind; make: (s: Scheme, I: number, H: number) => Record<string, unknown> }
const sru = (k: 3 | 4, tanh: boolean, highway: boolean): Variant => ({
  label: `SRU k=${k}${tanh ? ' tanh' : ''}${highway ? '' : ' no highway'}`, kind: 'SRU', make: (s, I0, H) => {
    // The k = 3 highway reads the H-slice of its direction: the input is D·H wide.
    const hwOff = k === 3 && highway ? pick([0, H]) : 0;
    const I = k === 3 && highway ? 2 * H : I0;
    const fc = randInt(9, 13), { fw, fh } = formats(s);
    const hw = Array.from({ length: k === 3 && highway ? H : 0 }, () => randInputRescale(s));
    const peepRescale = [randRescale(27), randRescale(27)]; // |v·C| up to 2^30
    return {
      I, H, k, tanh, highway, hwOff, U: randMat(s, k * H, I), f: randAct('sigmoid', 12, 15), g: tanh ? randAct('tanh', fc, fw) : NO_ACT,
      peep: randomFill(new Int16Array(2 * H)), peepMult: Int32Array.from(peepRescale, (r) => r[0]), peepShift: Int32Array.from(peepRescale, (r) => r[1]),
      hwMult: Int32Array.from(hw, (r) => r[0]), hwShift: Int32Array.from(hw, (r) => r[1]), fc, fw, fh,
      h: randomFill(new s.V(H)), cState: randomFill(new Int16Array(H)), v: new s.V(I), acc: new Int32Array(k * H),
    } satisfies SruCell;
  },
});
const qrnn = (window: 1 | 2, fo: boolean): Variant => ({
  label: `QRNN window ${window} ${fo ? 'fo' : 'f'}`, kind: 'QRNN', make: (s, I, H) => {
    const fc = randInt(11, 15), fh = s.V === Int8Array ? fc - 8 : fc - randInt(0, 1);
    return {
      I, H, window, fo, gates: randMat(s, (fo ? 3 : 2) * H, window * I), z: randAct('tanh', 12, fc), f: randAct('sigmoid', 12, 15), fc, fh,
      h: randomFill(new s.V(H)), cState: randomFill(new Int16Array(H)), xPrev: randomFill(new s.V(window === 2 ? I : 0)),
      v: new s.V(window * I), acc: new Int32Array((fo ? 3 : 2) * H),
    } satisfies QrnnCell;
  },
});
const VARIANTS = [sru(4, false, true), sru(4, true, true), sru(3, false, true), sru(3, true, true), sru(3, false, false), sru(3, true, false),
  qrnn(1, false), qrnn(1, true), qrnn(2, false), qrnn(2, true)];
const STEP_TS: Record<Kind, (c: never) => void> = { SRU: sruStep, QRNN: qrnnStep };

let wasm: Uint8Array<ArrayBuffer>;
let exp: Record<string, (desc: number) => void> & { memory: WebAssembly.Memory };
beforeAll(async () => {
  ({ wasm } = await compileAssemblyScript({ files: { 'cells.ts': TEST_MODULE }, entry: 'cells.ts', extraArgs: ['--initialMemory', '8'] }));
  exp = new WebAssembly.Instance(new WebAssembly.Module(wasm)).exports as typeof exp;
}, 60_000);

/** State and scratch arrays: zero-initialised buffers of the image; everything else is a constant. */
const BUFFERS = ['h', 'cState', 'xPrev', 'v', 'acc'] as const;
const STATE = ['h', 'cState', 'xPrev'] as const;

function layOut(img: MemoryImage, kind: Kind, cell: Record<string, unknown>): number {
  for (const name of BUFFERS) {
    const a = cell[name] as Vec | Int32Array | undefined;
    if (a?.length) img.buffer(name, a.byteLength, a);
  }
  return serializeCell(img, kind, cell);
}

/** Copies the image into wasm memory (buffers zeroed, constants at constStart); returns a view factory. */
function load(img: MemoryImage): <T extends Vec | Int32Array>(a: T) => T {
  const mem = exp.memory.buffer;
  new Uint8Array(mem, img.base, img.end - img.base).fill(0);
  new Uint8Array(mem).set(img.data, img.constStart);
  return (a) => new (a.constructor as Int32ArrayConstructor)(mem, img.addressOf(a), a.length) as unknown as typeof a;
}

describe('AssemblyScript SRU and QRNN cells equal the TypeScript simulator bit for bit', () => {
  it('the test module is import-free and validates with every post-MVP feature off', async () => {
    expect(listImports(wasm)).toEqual([]);
    await validateWasm(wasm, {});
  });

  it('desc.ts offsets equal layout.ts fieldOffsets()', () => {
    const src = readFileSync(new URL('../runtime-as/cells/desc.ts', import.meta.url), 'utf8');
    const ns: Record<string, Record<string, number>> = {};
    for (const [, name, body] of src.matchAll(/export namespace (\w+) \{([\s\S]*?)\n\}/g)) {
      ns[name] = Object.fromEntries([...body.matchAll(/export const (\w+): usize = (\d+);/g)].map(([, k, v]) => [k, Number(v)]));
    }
    const names = (o: Record<string, number>) => Object.keys(o).filter((k) => k !== 'bytes');
    for (const kind of KINDS) {
      const mine = ns[kind], got = new Map<string, number>();
      expect(names(mine), kind).toEqual(CELL_FIELDS[kind].map(([n]) => n));
      for (const [name, k] of CELL_FIELDS[kind]) {
        const sub = k === 'mat' ? ns.MAT : k === 'act' ? ns.ACT : undefined;
        if (sub) for (const s of names(sub)) got.set(`${name}.${s}`, mine[name] + sub[s]);
        else got.set(name, mine[name]);
      }
      expect(got, kind).toEqual(fieldOffsets(kind));
      expect(mine.bytes, kind).toBe(descriptorBytes(kind));
    }
  });

  for (const s of SCHEMES) {
    it(`every SRU/QRNN variant, I in {1,3,7,32}, H in {1,5,16,33}, ${STEPS} steps: V/W = ${s.name}`, () => {
      let compared = 0, moving = 0;
      for (const variant of VARIANTS) {
        for (const I of [1, 3, 7, 32]) {
          for (const H of [1, 5, 16, 33]) {
            const cell = variant.make(s, I, H);
            const where = `${variant.label} ${s.name} I=${cell.I} H=${H}`;
            const img = new MemoryImage(BASE);
            const desc = layOut(img, variant.kind, cell);
            const view = load(img);
            const state = STATE.map((n) => cell[n] as Vec | undefined).filter((a): a is Vec => !!a?.length);
            const wasmState = state.map((a) => view(a));
            state.forEach((a, i) => wasmState[i].set(a)); // the random initial state (buffers start zeroed)
            const v = cell.v as Vec, wv = view(v), h = cell.h as Vec;
            for (let t = 0; t < STEPS; t++) {
              const x = randomFill(new (v.constructor as typeof Int16Array)(cell.I as number));
              v.set(x); wv.set(x);
              const before = Array.from(h);
              STEP_TS[variant.kind](cell as never);
              exp[`${variant.kind}_${s.name}`](desc);
              state.forEach((a, i) => expect(Array.from(wasmState[i]), `${where} step ${t} ${STATE.find((n) => cell[n] === a)}`).toEqual(Array.from(a)));
              compared += H;
              const [lo, hi] = fullRange(h);
              moving += h.filter((y, j) => y !== before[j] && y > lo && y < hi).length;
            }
          }
        }
      }
      // The comparison means little if every output saturates or freezes: require real dynamics.
      console.info(`${s.name}: ${compared} h values compared, ${(100 * moving / compared).toFixed(0)}% changed and unsaturated`);
      expect(moving / compared).toBeGreaterThan(0.3);
    });
  }
});
