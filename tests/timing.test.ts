/**
 * Cycles from the executed-instruction mix: the classifier on a hand-written disassembly and PC
 * sequence with hand-computed cycles; the timing tables against their schema; the estimator's
 * cycle arithmetic on a hand-computed case; f32 priced by whether the device has an FPU.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classCounts, classify, mixCycles, MixRecorder, parseObjdump } from '../compiler/build/mcu/mix.ts';
import { deviceProfiles, timingProfiles, validateTiming } from '../src/targets.ts';
import { costData, type CostData, type RuntimeCost } from '../src/estimate/profile.ts';
import { estimate } from '../src/estimate/estimate.ts';
import type { StepCounts } from '../src/estimate/counts.ts';
import { packageRoot } from '../compiler/paths.ts';

// A multiply-accumulate loop as objdump prints it (address, halfwords, mnemonic, operands).
const SNIPPET = [
  '     100:\t3004      \tadds\tr0, #4',
  '     102:\t6802      \tldr\tr2, [r0, #0]',
  '     104:\t6809      \tldr\tr1, [r1, #0]',
  '     106:\tfb02 3301 \tmla\tr3, r2, r1, r3',
  '     10a:\t3901      \tsubs\tr1, #1',
  '     10c:\td1f8      \tbne.n\t100 <loop>',
  '     10e:\t4770      \tbx\tlr',
  '     110:\t00000000 \t.word\t0x00000000',
].join('\n');
// Two iterations (the branch taken once, then not), the return, then a PC outside the region.
const PCS = [0x100, 0x102, 0x104, 0x106, 0x10a, 0x10c, 0x100, 0x102, 0x104, 0x106, 0x10a, 0x10c, 0x10e];

function loopMix() {
  const rec = new MixRecorder(parseObjdump(SNIPPET));
  rec.begin();
  for (const pc of PCS) rec.step(pc, true);
  rec.step(0x200, false); // the caller: bx lr was taken
  return rec.close();
}

const table = (core: string) => timingProfiles().find((t) => t.name === core)!.cycles;

describe('instruction mix → cycles', () => {
  it('parses sizes and skips literal pools', () => {
    const insns = parseObjdump(SNIPPET);
    expect(insns.get(0x106)).toEqual({ size: 4, mnemonic: 'mla', operands: 'r3, r2, r1, r3' });
    expect(insns.get(0x10c)?.size).toBe(2);
    expect(insns.has(0x110)).toBe(false);
  });

  it('classifies the loop: taken branch from the next PC, LDR pipelining, address-generation stall', () => {
    const mix = loopMix();
    expect(Object.values(mix).reduce((a, e) => a + e.n, 0)).toBe(PCS.length);
    expect(mix['bne.n']).toEqual({ n: 2, taken: 1, afterLoad: 0, addrDep: 0 });
    expect(classCounts(mix)).toEqual({
      alu: 4, load: 2, agu_stall: 2, load_pipelined: 2, mla: 2, branch_taken: 1, branch_not_taken: 1, branch_reg: 1,
    });
  });

  it('tells conditional branches (bls, blt) from calls (bl), and prices a failed conditional return (IT block) as not taken', () => {
    const e = (n: number, taken: number) => ({ n, taken, afterLoad: 0, addrDep: 0 });
    expect(classify('bls.n', e(3, 1))).toEqual({ branch_taken: 1, branch_not_taken: 2 });
    expect(classify('blt.w', e(2, 0))).toEqual({ branch_taken: 0, branch_not_taken: 2 });
    expect(classify('bl', e(4, 4))).toEqual({ call: 4 });
    expect(classify('bxgt lr', e(5, 2))).toEqual({ branch_reg: 2, branch_not_taken: 3 });
    expect(classify('pop {r4, r5, pc}', e(2, 2))).toEqual({ pop_pc: 2, pop_pc_regs: 6, branch_not_taken: 0 });
  });

  it('prices it with the Cortex-M4, M3 and M0+ tables as computed by hand', () => {
    const mix = loopMix();
    // M4, per iteration: adds 1, ldr 2 + 1 stall (r0 just written), ldr behind ldr 1, mla 1, subs 1, bne 2 taken / 1 not; bx lr 1 + P(2).
    expect(mixCycles(mix, table('cortex-m4f'))).toBe(9 + 8 + 3);
    // M3: MLA takes 2.
    expect(mixCycles(mix, table('cortex-m3'))).toBe(10 + 9 + 3);
    // M0+: loads 2, no pipelining nor stall, taken branch 2, bx 2.
    expect(mixCycles(mix, table('cortex-m0plus'))).toBe(9 + 8 + 2);
  });
});

describe('timing tables', () => {
  it('every core prices every class with a sourced, marked number', () => {
    const names = timingProfiles().map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['cortex-m0', 'cortex-m0plus', 'cortex-m3', 'cortex-m4f', 'cortex-m7']));
    for (const t of timingProfiles()) for (const v of Object.values(t.sources)) expect(v).toMatch(/[✔≈?]/);
  });

  it('rejects a table with a missing class, an unsourced number or an unknown class', () => {
    const raw = JSON.parse(readFileSync(`${packageRoot()}/targets/timing.json`, 'utf8')).cores['cortex-m4f'];
    expect(() => validateTiming('x', raw)).not.toThrow();
    const { mla: _m, ...noMla } = raw.cycles;
    expect(() => validateTiming('x', { ...raw, cycles: noMla })).toThrow(/no cycles for instruction class 'mla'/);
    expect(() => validateTiming('x', { ...raw, sources: { ...raw.sources, mla: 'TRM' } })).toThrow(/x.mla has no source/);
    expect(() => validateTiming('x', { ...raw, cycles: { ...raw.cycles, fma: 1 } })).toThrow(/unknown instruction classes fma/);
  });

  it('devices say whether they have an FPU, with a source', () => {
    const d = Object.fromEntries(deviceProfiles().map((x) => [x.name, x]));
    expect([d.nrf52840.fpu, d.stm32h7a3.fpu, d.esp32.fpu]).toEqual([true, true, true]);
    expect([d.rp2040.fpu, d.samd21.fpu, d.esp32c3.fpu]).toEqual([false, false, false]);
    for (const x of deviceProfiles()) expect(x.sources.fpu).toMatch(/[✔≈?]/);
  });
});

describe('estimator cycles', () => {
  const device = { ...deviceProfiles().find((d) => d.name === 'nrf52840')!, clock_mhz: 100, memory_factor: 1.1 };
  const counts: StepCounts = { opcodes: { 'i32.add': 10, 'f32.mul': 2 }, classes: {} as StepCounts['classes'], method: 'test' };
  const mod = { moduleBytes: 1000, codeBytes: 500, dataBytes: 500, memoryHighWater: 100, pages: 1 };
  const use = { rate: 1, batteryMah: 1000, batteryVolts: 3 };
  const fake = (cycles: boolean): RuntimeCost => ({
    name: 'fake', source: '≈', band: 0.1, flashBytes: 0, ramBytes: 0, footprintSource: '≈', memoryLimit: true, codeRamPerWasmByte: 0,
    perOp: (op) => (op === 'f32.mul' ? 50 : 2),
    cyclesPerOp: (_core, fpu) => (cycles ? (op) => (op === 'f32.mul' ? (fpu ? 3 : 40) : 1.5) : undefined),
    cyclesBand: () => 0.05,
  });
  const cost: CostData = { cpi: { 'cortex-m4f': 1.4 }, cpiBand: 0.25, timingBand: { 'cortex-m4f': 0.1 }, runtimes: new Map() };

  it('with a cycle table: Σ n · cycles × memory factor, band from the fit and the timing table', () => {
    const e = estimate(device, fake(true), cost, counts, mod, use);
    expect(e.cycles_from).toBe('cycle table');
    // + 1.5 / + 2: the firmware's one call into step(), priced as the runtime's call.
    expect(e.cycles_per_step).toBe(Math.round((10 * 1.5 + 2 * 3 + 1.5) * 1.1)); // FPU device: f32.mul 3
    expect(e.latency_us_per_step).toBeCloseTo(((10 * 1.5 + 2 * 3 + 1.5) * 1.1) / 100, 12);
    expect(e.core_instructions_per_step).toBe(10 * 2 + 2 * 50 + 2);
    // A run(T)-only module spreads that call over T steps.
    const run = estimate(device, fake(true), cost, { ...counts, entries_per_step: 1 / 8 }, mod, use);
    expect(run.cycles_per_step).toBe(Math.round((10 * 1.5 + 2 * 3 + 1.5 / 8) * 1.1));
    const soft = estimate({ ...device, fpu: false }, fake(true), cost, counts, mod, use);
    expect(soft.cycles_per_step).toBe(Math.round((10 * 1.5 + 2 * 40 + 1.5) * 1.1));
  });

  it('RAM: the linear-memory high-water mark, the runtime, and an interpreter\'s compiled code', () => {
    expect(estimate(device, fake(true), cost, counts, mod, use).ram_bytes).toBe(100);
    const interp = { ...fake(true), ramBytes: 11300, codeRamPerWasmByte: 4 };
    expect(estimate(device, interp, cost, counts, mod, use).ram_bytes).toBe(100 + 11300 + 4 * 500);
  });

  it('without one: instructions × CPI × memory factor', () => {
    const e = estimate(device, fake(false), cost, counts, mod, use);
    expect(e.cycles_from).toBe('cpi');
    expect(e.cycles_per_step).toBe(Math.round((10 * 2 + 2 * 50 + 2) * 1.4 * 1.1));
  });

  it('interpreters price a float opcode as their handler plus the measured operation, FPU or soft-float', () => {
    const raw = JSON.parse(readFileSync(`${packageRoot()}/targets/costs.json`, 'utf8')).runtimes;
    const w3 = costData().runtimes.get('wasm3')!, ops = raw.wasm2c.float_instructions;
    expect(w3.perOp('f32.mul', 'cortex-m4f', true)).toBe(raw.wasm3.float_handler.instructions + ops.fpu['f32.mul']);
    expect(w3.perOp('f32.mul', 'cortex-m0plus', false)).toBe(raw.wasm3.float_handler.instructions + ops.soft['f32.mul']);
    expect(w3.perOp('i32.add', 'cortex-m4f', true)).toBe(w3.perOp('i32.add', 'cortex-m4f', false));
  });

  it('an f32 step costs more on a soft-float core than with the FPU, by the stored tables\' ratio', () => {
    const raw = JSON.parse(readFileSync(`${packageRoot()}/targets/costs.json`, 'utf8')).runtimes.wasm2c.float_cycles_by_core['cortex-m4f'];
    const f32: StepCounts = { opcodes: { 'f32.mul': 64, 'f32.add': 64, 'f32.lt': 8 }, classes: {} as StepCounts['classes'], method: 'test', entries_per_step: 0 }; // the float ops alone, no host call
    const want = (side: Record<string, number>) => 64 * side['f32.mul'] + 64 * side['f32.add'] + 8 * side['f32.lt'];
    const wasm2c = costData().runtimes.get('wasm2c')!;
    const withFpu = estimate({ ...device, memory_factor: 1 }, wasm2c, costData(), f32, mod, use);
    const without = estimate({ ...device, memory_factor: 1, fpu: false }, wasm2c, costData(), f32, mod, use);
    expect(withFpu.cycles_per_step).toBe(Math.round(want(raw.fpu)));
    expect(without.cycles_per_step).toBe(Math.round(want(raw.soft)));
    expect(without.cycles_per_step / withFpu.cycles_per_step).toBeGreaterThan(5);
  });
});
