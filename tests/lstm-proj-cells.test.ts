// The AssemblyScript LSTM with an output projection (runtime-as/cells/lstm-proj.ts) against the
// TypeScript simulator cell (compiler/fixed/cells/lstm.ts with P > 0), as tests/fixed-cells.test.ts
// does for the other cells: random valid cells (full-range weights, rescales aimed at mid-range,
// peepholes, clip, input_forget) serialized with MemoryImage as LSTMP, stepped in both, and h (P),
// m (H) and C compared bit for bit after every step, for each V/W instantiation.
import { beforeAll, describe, expect, it } from 'vitest';
import { compileAssemblyScript } from '../compiler/build/asc.ts';
import { MemoryImage, serializeCell } from '../compiler/codegen/memory-image.ts';
import type { Vec } from '../compiler/fixed/cells/common.ts';
import { lstmStep, type LstmCell } from '../compiler/fixed/cells/lstm.ts';
import { fullRange, randomCells, SCHEMES, type Scheme } from './helpers/random-cells.ts';

const TEST_MODULE = `import { lstmProjStep } from './runtime-as/cells/lstm-proj';\n`
  + SCHEMES.map(({ name }) => `export function lstmp_${name}(desc: usize): void { lstmProjStep<${name.replace('_', ', ')}>(desc); }\n`).join('');
const BASE = 65536, STEPS = 4;
const { randInt, pick, randomFill, randRescale, randMat, randAct } = randomCells(20261128);
const randClip = (on: boolean) => (on ? randInt(256, 32767) : 0);

function randomCell(s: Scheme, I: number, H: number, P: number, peep: boolean, inputForget: boolean, clip: boolean): LstmCell {
  const fh = randInt(...s.fh), fm = randInt(...s.fh), fc = randInt(9, 13);
  const peepRescale = Array.from({ length: 3 }, () => randRescale(27));
  return {
    I, H, h: randomFill(new s.V(P)), v: new s.V(I + P), inputForget, gates: randMat(s, 4 * H, I + P),
    f: randAct('sigmoid', 12, 15), g: randAct('tanh', 12, fh), hAct: randAct('tanh', fc, pick([fm, 15])),
    peep: peep ? randomFill(new Int16Array(3 * H)) : new Int16Array(0),
    peepMult: Int32Array.from(peep ? peepRescale.map((r) => r[0]) : []), peepShift: Int32Array.from(peep ? peepRescale.map((r) => r[1]) : []),
    fc, fh, clipQ: randClip(clip), clipCandQ: randClip(clip), cState: randomFill(new Int16Array(H)), acc: new Int32Array(4 * H),
    P, proj: projMat(s, P, H), fm, m: new s.V(H),
  };
}

/** randMat's rescales aim at |out| ≈ 2^13; int8 h wants ≈ 2^5 (else nearly every value saturates). No bias (as quantized). */
function projMat(s: Scheme, P: number, H: number) {
  const m = { ...randMat(s, P, H), bias: new Int32Array(P) };
  if (s.V === Int8Array) m.shift = m.shift.map((sh, r) => (m.mult[r] === 0 ? Math.min(31, sh + 8) : sh - 8));
  return m;
}

let exp: Record<string, (desc: number) => void> & { memory: WebAssembly.Memory };
beforeAll(async () => {
  const { wasm } = await compileAssemblyScript({ files: { 'cells.ts': TEST_MODULE }, entry: 'cells.ts', extraArgs: ['--initialMemory', '8'] });
  exp = new WebAssembly.Instance(new WebAssembly.Module(wasm)).exports as typeof exp;
}, 60_000);

describe('AssemblyScript lstmProjStep equals the TypeScript simulator bit for bit', () => {
  for (const s of SCHEMES) {
    it(`random cells, I in {1,7,32}, H in {2,5,33}, P in {1, H−1}, ${STEPS} steps: V/W = ${s.name}`, () => {
      let compared = 0, moving = 0;
      for (const [peep, inputForget, clip] of [[false, false, false], [true, false, true], [false, true, false], [true, true, false]]) {
        for (const I of [1, 7, 32]) {
          for (const H of [2, 5, 33]) {
            for (const P of [...new Set([1, H - 1])]) {
              const cell = randomCell(s, I, H, P, peep, inputForget, clip);
              const where = `peep=${peep} if=${inputForget} clip=${clip} ${s.name} I=${I} H=${H} P=${P}`;
              const img = new MemoryImage(BASE);
              for (const name of ['h', 'cState', 'v', 'acc', 'm'] as const) img.buffer(name, cell[name]!.byteLength, cell[name]!);
              const desc = serializeCell(img, 'LSTMP', cell as unknown as Record<string, unknown>);
              const mem = exp.memory.buffer;
              new Uint8Array(mem, img.base, img.end - img.base).fill(0);
              new Uint8Array(mem).set(img.data, img.constStart);
              const view = <T extends Vec | Int16Array>(a: T) => new (a.constructor as Int16ArrayConstructor)(mem, img.addressOf(a), a.length) as unknown as T;
              const [wh, wv, wc, wm] = [view(cell.h), view(cell.v), view(cell.cState), view(cell.m!)];
              wh.set(cell.h);
              wc.set(cell.cState);
              for (let t = 0; t < STEPS; t++) {
                const x = randomFill(new (cell.v.constructor as typeof Int16Array)(I));
                cell.v.set(x);
                wv.set(x);
                const before = Array.from(cell.h);
                lstmStep(cell);
                exp[`lstmp_${s.name}`](desc);
                expect(Array.from(wm), `${where} step ${t} m`).toEqual(Array.from(cell.m!));
                expect(Array.from(wc), `${where} step ${t} C`).toEqual(Array.from(cell.cState));
                expect(Array.from(wh), `${where} step ${t} h`).toEqual(Array.from(cell.h));
                compared += P;
                const [lo, hi] = fullRange(cell.h);
                moving += cell.h.filter((y, j) => y !== before[j] && y > lo && y < hi).length;
              }
            }
          }
        }
      }
      console.info(`${s.name}: ${compared} projected h values compared, ${(100 * moving / compared).toFixed(0)}% changed and unsaturated`);
      expect(moving / compared).toBeGreaterThan(0.3);
    });
  }
});
