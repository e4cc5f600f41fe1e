/**
 * Validation on emulated microcontrollers (`npm run test:mcu`): each module is translated with
 * wasm2c, built bare-metal with arm-none-eabi-gcc -O2 for Cortex-M0/M3/M4/M7, run in QEMU with a
 * linear memory of exactly the manifest's high-water mark, and its output buffers and state region
 * must equal, byte for byte, what Node's WebAssembly writes for the same calls — and, decoded, the
 * fixed-point simulator's outputs for that batch entry. Executed ARM instructions per step() are
 * counted from QEMU's one-instruction-per-block exec trace (calibrated on every run; see docs/mcu.md).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { compileModel, DEFAULT_COMPILE, type Compiled } from '../../src/compile.ts';
import { simulate } from '../../compiler/fixed/simulate.ts';
import { manifestSteps } from '../../src/wasm-engine.ts';
import { readTestData } from '../../src/io/test-data.ts';
import { loadModel } from '../../src/model.ts';
import { analyzeGraph } from '../../src/analyze.ts';
import type { IoType } from '../../compiler/codegen/plan.ts';
import { fitsCore, mixCycles, runOnQemu, toolsAvailable, type InstructionMix, type McuCore } from '../../compiler/build/mcu/index.ts';
import { packageRoot } from '../../compiler/paths.ts';
import { FIXTURES } from '../helpers/cli.ts';
import { decodeOutput, entryOfTensor, ioSteps, nodeRawRun } from './helpers.ts';

/** Every case runs on every core whose RAM holds its high-water mark (M3, M4, M7 always). */
interface Case { label: string; dir: string; quant: string; io: IoType; unchecked?: McuCore[] }

const BENCH = `${FIXTURES}/bench`, GEN = `${FIXTURES}/conformance/generated`;
const ALL: McuCore[] = ['m0', 'm3', 'm4', 'm7'];
const CASES: Case[] = [
  { label: 'GRU-64 int8x16', dir: `${BENCH}/gru_i32_h64_s100`, quant: 'int8x16', io: 'f32', unchecked: ['m4'] },
  { label: 'GRU-64 int8', dir: `${BENCH}/gru_i32_h64_s100`, quant: 'int8', io: 'int8' },
  { label: 'GRU-64 int16', dir: `${BENCH}/gru_i32_h64_s100`, quant: 'int16', io: 'int16' },
  { label: 'LSTM-64 int8x16', dir: `${BENCH}/lstm_i32_h64_s100`, quant: 'int8x16', io: 'f32', unchecked: ['m4'] },
  { label: 'LSTM-64 int16', dir: `${BENCH}/lstm_i32_h64_s100`, quant: 'int16', io: 'int16' },
  { label: 'LSTM-32 (in 16) int8x16', dir: `${GEN}/lstm_initial_states_large`, quant: 'int8x16', io: 'f32', unchecked: ['m0'] },
  { label: 'GRU-16 2-layer int16', dir: `${GEN}/gru_stacked_2layer`, quant: 'int16', io: 'int16' },
  { label: 'RNN-8 relu int8x16', dir: `${GEN}/rnn_relu`, quant: 'int8x16', io: 'f32' },
  { label: 'GRU-10 bidirectional int16', dir: `${GEN}/gru_bidirectional`, quant: 'int16', io: 'f32' },
  { label: 'LSTM-9 reverse int8', dir: `${GEN}/lstm_reverse`, quant: 'int8', io: 'f32' },
  // The float module (--quant f32) on soft-float builds: libgcc's IEEE single precision.
  { label: 'LSTM-8 clip f32', dir: `${GEN}/lstm_clip`, quant: 'f32', io: 'f32' },
];

interface Row { model: string; core: McuCore; bounds: string; perStep: number; macs: number; stepCounts: number[]; text: number; moduleText: number; rodata: number; ram: number; highWater: number }
const rows: Row[] = [];

const enabled = process.env.RNNC_MCU === '1';
const tools = enabled ? toolsAvailable() : undefined;
const skipReason = !enabled ? 'MCU tests run only with `npm run test:mcu` (vitest --config tests/mcu/vitest.config.ts)'
  : !tools!.ok ? `MCU tests skipped: missing ${tools!.missing.join('; ')}` : '';
if (skipReason && enabled) console.warn(skipReason);

describe.skipIf(!!skipReason)('compiled modules on emulated Cortex-M (wasm2c, QEMU)', () => {
  for (const c of CASES) {
    it(`${c.label}: bit-exact on every core it fits`, async () => {
      const data = `${c.dir}/test_data_set_0`;
      const r: Compiled = await compileModel(c.dir, { ...DEFAULT_COMPILE, quant: c.quant, io: c.io, data });
      const m = r.manifest;
      const { inputs } = readTestData(data, loadModel(c.dir), true);
      const steps = ioSteps(m, manifestSteps(m, inputs[0], 0));
      const want = await nodeRawRun(r.module.wasm, m, steps);
      const sim = simulate(r.qp, inputs[0]).outputs;
      // Independent of the harness: Node's run, decoded, is the simulator's entry 0 (same floats).
      m.outputs.forEach((o, k) => expect(decodeOutput(m, o, want.outputs[k])).toEqual(entryOfTensor(o, sim[k], 0)));
      const macs = analyzeGraph(r.graph).totals.macs_per_step;
      const cores = ALL.filter((core) => fitsCore(core, m.memory.high_water));
      expect(cores).toEqual(expect.arrayContaining(['m3', 'm4', 'm7']));
      const runs = cores.map((core) => ({ core, bounds: 'checked', boundsChecks: true }))
        .concat((c.unchecked ?? []).map((core) => ({ core, bounds: 'unchecked', boundsChecks: false })));
      for (const run of runs) {
        const got = await runOnQemu({ wasm: r.module.wasm, manifest: m, core: run.core, steps, boundsChecks: run.boundsChecks });
        got.outputs.forEach((b, k) => expect(Buffer.from(b).equals(Buffer.from(want.outputs[k])), `${run.core} output ${k}`).toBe(true));
        expect(Buffer.from(got.state).equals(Buffer.from(want.state)), `${run.core} state`).toBe(true);
        expect(got.armInstructionsPerStep).toBeGreaterThan(macs);
        expect(got.traceReplays).toBe(0);
        expect(got.linearMemoryBytes).toBe(Math.ceil(m.memory.high_water / 8) * 8);
        if (run.core === 'm0') expect(got.ramBytes).toBeLessThanOrEqual(16 * 1024);
        rows.push({
          model: c.label, core: run.core, bounds: run.bounds, perStep: got.armInstructionsPerStep, macs, stepCounts: got.stepCounts,
          text: got.textBytes, moduleText: got.module.textBytes, rodata: got.rodataBytes, ram: got.ramBytes, highWater: m.memory.high_water,
        });
      }
    });
  }

  it('one step\'s instruction mix covers every counted instruction, and its cycles are mix × the M4 table', async () => {
    const dir = `${GEN}/rnn_relu`;
    const r = await compileModel(dir, { ...DEFAULT_COMPILE, quant: 'int8x16', data: `${dir}/test_data_set_0` });
    const steps = manifestSteps(r.manifest, readTestData(`${dir}/test_data_set_0`, loadModel(dir), true).inputs[0], 0);
    const got = await runOnQemu({ wasm: r.module.wasm, manifest: r.manifest, core: 'm4', steps, countSteps: 1, mix: true });
    const mix = got.mixPerStep!;
    expect(Object.values(mix).reduce((a, e) => a + e.n, 0)).toBe(got.armInstructionsPerStep);
    // Calls are always taken, and so are returns.
    for (const [key, e] of Object.entries(mix)) if (key === 'bl' || key === 'bx lr' || /^pop .*pc\}$/.test(key)) expect(e.taken, key).toBe(e.n);
    const table = JSON.parse(readFileSync(`${ROOT}/targets/timing.json`, 'utf8')).cores['cortex-m4f'].cycles;
    expect(mixCycles(mix, table)).toBeCloseTo(m4CyclesByHand(mix, table), 9);
  });

  it('the float module hard-float (Cortex-M4F fpv4-sp-d16, M7 fpv5-d16): bit-exact, VFP instructions, fewer than soft-float', async () => {
    const dir = `${GEN}/lstm_clip`;
    const r = await compileModel(dir, { ...DEFAULT_COMPILE, quant: 'f32', data: `${dir}/test_data_set_0` });
    const m = r.manifest;
    const steps = ioSteps(m, manifestSteps(m, readTestData(`${dir}/test_data_set_0`, loadModel(dir), true).inputs[0], 0));
    const want = await nodeRawRun(r.module.wasm, m, steps);
    for (const core of ['m4', 'm7'] as McuCore[]) {
      const soft = await runOnQemu({ wasm: r.module.wasm, manifest: m, core, steps, countSteps: 1 });
      const hard = await runOnQemu({ wasm: r.module.wasm, manifest: m, core, steps, countSteps: 1, mix: true, hardFloat: true });
      hard.outputs.forEach((b, k) => expect(Buffer.from(b).equals(Buffer.from(want.outputs[k])), `${core} output ${k}`).toBe(true));
      expect(Buffer.from(hard.state).equals(Buffer.from(want.state)), `${core} state`).toBe(true);
      expect(Object.keys(hard.mixPerStep!).some((key) => /^v(mul|add)\.f32/.test(key)), core).toBe(true);
      // No fused multiply-add (floatFlags: -ffp-contract=off): wasm rounds a·b and then the sum.
      expect(Object.keys(hard.mixPerStep!).filter((key) => /^vf(n?m[as])/.test(key)), core).toEqual([]);
      expect(hard.armInstructionsPerStep).toBeLessThan(soft.armInstructionsPerStep / 2);
    }
    await expect(runOnQemu({ wasm: r.module.wasm, manifest: m, core: 'm3', steps, count: false, hardFloat: true })).rejects.toThrow(/m3 has no FPU/);
  });

  it('the linear memory ends at the high-water mark: one byte less traps (out of bounds) at instantiation', async () => {
    const dir = `${GEN}/rnn_relu`;
    const r = await compileModel(dir, { ...DEFAULT_COMPILE, quant: 'int8x16', data: `${dir}/test_data_set_0` });
    const m = r.manifest;
    const steps = manifestSteps(m, readTestData(`${dir}/test_data_set_0`, loadModel(dir), true).inputs[0], 0);
    const short = { ...m, memory: { ...m.memory, high_water: m.memory.high_water - 1 } };
    await expect(runOnQemu({ wasm: r.module.wasm, manifest: short, core: 'm3', steps, count: false })).rejects.toThrow(/wasm trap: out of bounds/);
  });

  afterAll(() => {
    if (!rows.length) return;
    const lines = rows.map((x) => `${x.model.padEnd(28)} ${x.core} ${x.bounds.padEnd(9)} ${String(Math.round(x.perStep)).padStart(9)} instr/step ${(x.perStep / x.macs).toFixed(2).padStart(6)} /MAC (${x.macs} MACs) text ${x.text} (module ${x.moduleText}) rodata ${x.rodata} ram ${x.ram} (linear ${x.highWater})`);
    console.log(`ARM instructions per step (QEMU exec trace):\n${lines.join('\n')}\n${tools!.versions.qemu}; ${tools!.versions.gcc}; wasm2c ${tools!.versions.wasm2c}`);
    if (process.env.RNNC_MCU_REPORT) writeFileSync(process.env.RNNC_MCU_REPORT, JSON.stringify({ versions: tools!.versions, rows }, null, 1));
  });
});

const ROOT = packageRoot();

/**
 * An independent reading of the Cortex-M4 rules (TRM Table 3-1 and the load/store notes), written
 * from the mnemonics alone, as the oracle for mix.ts's classifier on real wasm2c/gcc code.
 */
function m4CyclesByHand(mix: InstructionMix, t: Record<string, number>): number {
  let sum = 0;
  for (const [key, e] of Object.entries(mix)) {
    const [raw, ...rest] = key.split(' ');
    const m = raw.replace(/\.[nw]$/, ''), ops = rest.join(' ');
    const regs = (ops.match(/\{([^}]*)\}/)?.[1] ?? '').split(',').filter((x) => x.trim()).length;
    const cond = /(eq|ne|cs|hs|cc|lo|mi|pl|vs|vc|hi|ls|ge|lt|gt|le)$/;
    // A conditional instruction whose condition fails (IT block) costs 1, as a branch not taken.
    if (m === 'bl') sum += e.n * t.call;
    else if (/^b(l?x)/.test(m) && (m.length === 2 || m.length === 3 || cond.test(m))) sum += e.taken * t.branch_reg + (e.n - e.taken) * t.branch_not_taken;
    else if (m === 'b' || m === 'cbz' || m === 'cbnz' || (m.length === 3 && m.startsWith('b') && cond.test(m))) sum += e.taken * t.branch_taken + (e.n - e.taken) * t.branch_not_taken;
    else if (/^(pop|ldm)/.test(m) && ops.includes('pc}')) sum += e.taken * (t.pop_pc + regs * t.pop_pc_regs) + (e.n - e.taken) * t.branch_not_taken;
    else if (/^(pop|ldm)/.test(m)) sum += e.n * (t.load_multi + regs * t.load_multi_regs);
    else if (/^(push|stm)/.test(m)) sum += e.n * (t.store_multi + regs * t.store_multi_regs);
    else if (m === 'ldrd') sum += e.n * (t.load_multi + 2 * t.load_multi_regs);
    else if (m === 'strd') sum += e.n * (t.store_multi + 2 * t.store_multi_regs);
    else if (m.startsWith('ldr') && ops.startsWith('pc,')) sum += e.n * (t.load + t.branch_reg);
    else if (m.startsWith('ldr')) sum += (e.n - e.afterLoad) * t.load + e.afterLoad * t.load_pipelined + e.addrDep * t.agu_stall;
    else if (m.startsWith('str')) {
      const regOffset = /\[\w+, (r\d|ip|lr|fp|sl|sb)/.test(ops);
      sum += (regOffset ? (e.n - e.afterLoad) * t.store_reg_offset + e.afterLoad * t.store : e.n * t.store) + e.addrDep * t.agu_stall;
    } else if (/^it[te]*$/.test(m)) sum += e.n * t.it;
    else if (/^(tbb|tbh)$/.test(m)) sum += e.n * t.table_branch;
    else if (/^(smlal|umlal)/.test(m)) sum += e.n * t.mlal;
    else if (/^(smull|umull)/.test(m)) sum += e.n * t.mull;
    else if (/^(mla|mls|smla)/.test(m)) sum += e.n * t.mla;
    else if (/^(mul|smul)/.test(m)) sum += e.n * t.mul;
    else if (/^(sdiv|udiv)/.test(m)) sum += e.n * t.div;
    else if (/^(lsl|lsr|asr|ror)/.test(m)) sum += e.n * t.shift;
    else if (/^v/.test(m)) throw new Error(`hard-float instruction ${key} in a soft-float build`);
    else sum += e.n * t.alu; // data processing; every other Thumb-2 instruction in these steps is 1 cycle too
  }
  return sum;
}

// A visible skipped test that says why (which tool is missing, or how to run these tests).
if (skipReason) it.skip(skipReason, () => {});
