/**
 * @fileoverview A self-test harness appended to a generated module so it can prove itself where
 * nothing can write its memory from outside (WABT's wasm-interp, a bare wasm3 console): the input
 * sequence is baked in, and `selftest()` returns a hash of everything the module wrote.
 *
 * Hash: FNV-1a (32-bit) run separately over each output's written bytes (seq outputs T·step_elems
 * elements, final outputs step_elems) and over the state region; the result is FNV-1a over those
 * hashes' little-endian bytes. Per-output streams make step mode (one slot at a time) and run mode
 * (all slots at once) give the same value. `expectedHash` computes it from the simulator.
 */
import { fail } from '../errors.ts';
import type { Tensor } from '../ir/types.ts';
import { vecKey, vecSize } from '../lower/program.ts';
import { simulate, type SimulationResult } from '../fixed/simulate.ts';
import type { ModulePlan } from './plan.ts';

const FNV_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** AssemblyScript for `selftest(): i32` and `selftest_steps(): i32` (the work only, no hash,
 * for instruction counting). Input writes are straight-line `store<u32>` of the f32 bit patterns:
 * `memory.data` would add a data segment, which buildModule's image placement refuses, and bit
 * patterns keep NaN/−0 exact where a decimal literal might not. */
export function harnessSource(plan: ModulePlan, steps: Float32Array[], mode: 'run' | 'step', b = 0): string {
  if (plan.io !== 'f32') fail(`selftest harness: io ${plan.io} is not supported (compile with io f32)`);
  const T = steps.length, I = plan.input.size;
  if (T < 1 || T > plan.maxSteps) fail(`selftest harness: ${T} steps is outside 1..max_steps (${plan.maxSteps})`);
  if (mode === 'step' && !plan.streamable) fail('selftest harness: step mode needs a streamable model (this one has reverse or bidirectional layers)');
  const bits = new Uint32Array(1), f = new Float32Array(bits.buffer);
  const lines: string[] = ['', '// ---- rnnc self-test harness (generated; not part of the module ABI) ----'];
  const out = (s: string) => lines.push(s);
  out('function selftest_input(): void {');
  steps.forEach((x, t) => {
    if (x.length !== I) fail(`selftest harness: step ${t} has ${x.length} features; the module takes ${I}`);
    for (let i = 0; i < I; i++) {
      f[0] = x[i];
      out(`  store<u32>(${plan.input.ptr + (t * I + i) * 4}, 0x${bits[0].toString(16)});`);
    }
  });
  out('}');
  out('');
  out('function fnvBytes(h: u32, ptr: u32, n: u32): u32 {');
  out(`  for (let i: u32 = 0; i < n; i++) h = (h ^ <u32>load<u8>(ptr + i)) * ${FNV_PRIME};`);
  out('  return h;');
  out('}');
  out('');
  out('function fnvWord(h: u32, w: u32): u32 {');
  out(`  for (let k: u32 = 0; k < 32; k += 8) h = (h ^ ((w >> k) & 255)) * ${FNV_PRIME};`);
  out('  return h;');
  out('}');
  const seqOuts = plan.outputs.map((o, i) => ({ o, i })).filter(({ o }) => o.timing === 'seq');
  const body = (hashing: boolean) => {
    out(`  resetTo(${b});`);
    out('  selftest_input();');
    if (hashing) plan.outputs.forEach((_, i) => out(`  let h${i}: u32 = ${FNV_BASIS};`));
    if (mode === 'run') {
      out(`  const rc = run(${T});`);
      out('  if (rc != 0) return rc;');
      if (hashing) seqOuts.forEach(({ o, i }) => out(`  h${i} = fnvBytes(h${i}, ${o.ptr}, ${T * o.slice * 4});`));
    } else {
      // step() reads input slot 0: move step t there (slot t still holds it, t ≤ max_steps).
      out(`  for (let t: u32 = 0; t < ${T}; t++) {`);
      out(`    if (t > 0) for (let i: u32 = 0; i < ${I * 4}; i += 4) store<u32>(${plan.input.ptr} + i, load<u32>(${plan.input.ptr} + t * ${I * 4} + i));`);
      out('    const rc = step();');
      out('    if (rc != 0) return rc;');
      if (hashing) seqOuts.forEach(({ o, i }) => out(`    h${i} = fnvBytes(h${i}, ${o.ptr}, ${o.slice * 4});`));
      out('  }');
    }
    if (!hashing) {
      out('  return 0;');
      return;
    }
    plan.outputs.forEach((o, i) => o.timing === 'final' && out(`  h${i} = fnvBytes(h${i}, ${o.ptr}, ${o.slice * 4});`));
    out(`  let h: u32 = ${FNV_BASIS};`);
    plan.outputs.forEach((_, i) => out(`  h = fnvWord(h, h${i});`));
    out(`  h = fnvWord(h, fnvBytes(${FNV_BASIS}, ${plan.state.ptr}, ${plan.state.bytes}));`);
    out('  return <i32>h;');
  };
  out('');
  out(`/** Resets to initial state ${b}, writes the baked ${T}-step input, ${mode === 'run' ? `run(${T})` : `${T} × step()`}. Returns the rc. */`);
  out('export function selftest_steps(): i32 {');
  body(false);
  out('}');
  out('');
  out('/** The same work, then the hash of the outputs and the state (or a nonzero rc of run/step). */');
  out('export function selftest(): i32 {');
  body(true);
  out('}');
  return `${lines.join('\n')}\n`;
}

function fnvBytes(h: number, bytes: Uint8Array): number {
  for (const x of bytes) h = Math.imul(h ^ x, FNV_PRIME) >>> 0;
  return h;
}

/** The hash `selftest()` must return for batch entry b of x, from the simulator's assembled output
 * tensors (dequantized: the module's f32 outputs equal them exactly) and its final state vectors. */
export function expectedHash(plan: ModulePlan, x: Tensor, b = 0, sim: SimulationResult = simulate(plan.qp, x)): number {
  const p = plan.qp.program;
  const T = x.shape[p.input.timeAxis];
  const hashes = p.outputs.map((o, i) => {
    const t = sim.outputs[i];
    const { axes, groups, timing } = o.view;
    const F = groups[0].reduce((s, r) => s + vecSize(p, r), 0);
    if (groups.length * F !== plan.outputs[i].slice) fail(`internal: output '${o.name}' slice ${plan.outputs[i].slice} ≠ ${groups.length}×${F}`);
    const strides = t.shape.map((_, k) => t.shape.slice(k + 1).reduce((a, d) => a * d, 1));
    const values = new Float32Array((timing === 'seq' ? T : 1) * groups.length * F);
    let n = 0;
    // Slice layout, as the module writes it: [t][d][f].
    for (let s = 0; s < (timing === 'seq' ? T : 1); s++) {
      for (let d = 0; d < groups.length; d++) {
        for (let ff = 0; ff < F; ff++) {
          const at = axes.reduce((a, tag, k) => a + strides[k] * (tag === 'T' ? s : tag === 'B' ? b : tag === 'D' ? d : tag === 'F' ? ff : 0), 0);
          values[n++] = t.data[at];
        }
      }
    }
    return fnvBytes(FNV_BASIS, new Uint8Array(values.buffer));
  });
  // The state region: every direction's h, then every cell state c, then every QRNN window-2
  // previous input (the layer's last input step), at their planned addresses; gaps stay 0.
  const state = new Uint8Array(plan.state.bytes);
  const { final, seq } = sim.entries[b];
  const place = (v: ArrayLike<number> & { buffer: ArrayBufferLike; byteOffset: number; byteLength: number }, addr: number) => {
    state.set(new Uint8Array(v.buffer, v.byteOffset, v.byteLength), addr - plan.state.ptr);
  };
  for (const d of plan.dirs) {
    place(final.get(vecKey({ kind: 'h', layer: d.layer, dir: d.dir }))!, d.h);
    if (d.c) place(final.get(vecKey({ kind: 'c', layer: d.layer, dir: d.dir }))!, d.c); // cell state
    let at = d.xPrev;
    for (const r of at ? d.input : []) {
      const v = seq.get(vecKey(r))![T - 1];
      place(v, at);
      at += v.byteLength;
    }
  }
  let h = FNV_BASIS;
  for (const w of [...hashes, fnvBytes(FNV_BASIS, state)]) for (let k = 0; k < 32; k += 8) h = Math.imul(h ^ ((w >>> k) & 255), FNV_PRIME) >>> 0;
  return h | 0;
}
