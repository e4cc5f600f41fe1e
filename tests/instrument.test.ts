// Exactness of the executed-instruction counter (compiler/build/instrument.ts) against two
// independent counts: (a) closed-form counts of small hand-written functions, derived below from
// their instruction sequences; (b) WABT's reference interpreter, `wasm-interp --trace`, which
// prints one line per executed instruction of its own internal stream, run on the *original*
// (uninstrumented) module, including a compiled rnnc model's step() and run(2).
//
// Convention on both sides: an instruction is one executed opcode of the code section, except the
// markers block, loop, end, else and nop (instrument.ts counts those in class 'control', left out
// of totals; WABT emits nothing for block/loop/nop/inner end). WABT's stream differs from the
// binary in known ways, mapped here: `alloca`, `drop_keep` and `catch_drop` are bookkeeping
// (dropped); `if` and `br_if` both become `br_unless`; `br_table` stays; a taken `br_if`, the
// then-arm reaching `else`, and the entry chosen by `br_table` each add a `br`; every function
// invocation ends with one `return` line (explicit `return` or the implicit one at the end).
import { beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  classOf, countInstructions, countOpcodes, instrumentModule, resetCounts, totalInstructions,
} from '../compiler/build/instrument.ts';
import { compileModel, DEFAULT_COMPILE } from '../src/compile.ts';
import { FIXTURES } from './helpers/cli.ts';

const require = createRequire(import.meta.url);
const WASM_INTERP = join(dirname(require.resolve('wabt/package.json')), 'bin', 'wasm-interp');

/** Executed lines per WABT opcode name for one export call under `wasm-interp --trace`. */
async function traceCounts(wasm: Uint8Array, exportName: string, args: number[] = []): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'rnnc-instr-'));
  try {
    const file = join(dir, 'm.wasm');
    writeFileSync(file, wasm);
    const argv = [WASM_INTERP, file, `--run-export=${exportName}`, ...args.map((a) => `--argument=i32:${a >>> 0}`), '--trace'];
    const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
    const counts: Record<string, number> = {};
    let tail = '', result = '';
    const take = (l: string) => {
      const bar = l.indexOf('| ');
      if (l.startsWith('#') && bar > 0) {
        const name = l.slice(bar + 2).split(' ')[0];
        counts[name] = (counts[name] ?? 0) + 1;
      } else if (l.startsWith(`${exportName}(`)) result = l;
    };
    child.stdout.setEncoding('latin1');
    child.stdout.on('data', (s: string) => {
      const ls = (tail + s).split('\n');
      tail = ls.pop()!;
      ls.forEach(take);
    });
    await new Promise((resolve) => child.on('close', resolve));
    take(tail);
    if (!/=> i32:/.test(result)) throw new Error(`wasm-interp ${argv.slice(2).join(" ")}: ${result || "no result line"}`);
    for (const k of ['alloca', 'drop_keep', 'catch_drop']) delete counts[k];
    return counts;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What WABT's trace should show, from the instrumented per-opcode counts (see the header). */
function asWabtTrace(o: Record<string, number>): Record<string, number> {
  const g = (k: string) => o[k] ?? 0;
  const out: Record<string, number> = {};
  for (const [k, n] of Object.entries(o)) if (n && classOf(k) !== 'control' && classOf(k) !== null) out[k] = n;
  for (const k of ['if', 'br_if', 'br', 'return']) delete out[k];
  const set = (k: string, n: number) => n && (out[k] = n);
  set('br_unless', g('if') + g('br_if'));
  set('br', g('br') + g('else') + g('br_table') + g('br_if') - g('(br_if not taken)'));
  set('return', 1 + g('call') + g('call_indirect'));
  return out;
}

async function instrumentedCall(wasm: Uint8Array, exportName: string, args: number[] = []) {
  const ins = await instrumentModule(wasm);
  const { instance } = await WebAssembly.instantiate(ins.wasm, {});
  const plain = await WebAssembly.instantiate(new Uint8Array(wasm), {});
  const fn = (i: WebAssembly.Instance) => i.exports[exportName] as (...a: number[]) => number;
  const value = fn(instance)(...args);
  // The counters must not change what the module computes.
  expect(value).toBe(fn(plain.instance)(...args));
  return { value, opcodes: countOpcodes(instance), classes: countInstructions(instance), instance, fn: fn(instance) };
}

const WAT = `(module
  (memory 1)
  ;; s = n + (n-1) + ... + 1 with a loop closed by br_if
  (func (export "sum") (param $n i32) (result i32) (local $s i32)
    (block $done
      (br_if $done (i32.eqz (local.get $n)))
      (loop $l
        (local.set $s (i32.add (local.get $s) (local.get $n)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br_if $l (local.get $n))))
    (local.get $s))
  ;; |x| for x < 0, else 2x: if/else with a value
  (func (export "ifelse") (param $x i32) (result i32)
    (if (result i32) (i32.lt_s (local.get $x) (i32.const 0))
      (then (i32.sub (i32.const 0) (local.get $x)))
      (else (i32.mul (local.get $x) (i32.const 2)))))
  ;; first i in [0, n) equal to k, by an early return from inside the loop; -1 if none
  (func (export "find") (param $n i32) (param $k i32) (result i32) (local $i i32)
    (loop $l
      (if (i32.eq (local.get $i) (local.get $k)) (then (return (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (i32.const -1))
  ;; br_table into four blocks, three of which return
  (func (export "switch") (param $x i32) (result i32)
    (block $d (block $c (block $b (block $a
      (br_table $a $b $c $d (local.get $x)))
      (return (i32.const 10)))
      (return (i32.const 20)))
      (return (i32.const 30)))
    (i32.const 40))
  ;; calls, memory, select, tee, i64 and a nop
  (func $sq (param i32) (result i64) (i64.mul (i64.extend_i32_s (local.get 0)) (i64.extend_i32_s (local.get 0))))
  (func (export "mix") (param $n i32) (result i32) (local $i i32) (local $acc i64)
    (loop $l
      (nop)
      (i32.store8 (local.get $i) (i32.sub (i32.const 100) (local.get $i)))
      (local.set $acc (i64.add (local.get $acc) (call $sq (i32.load8_s (local.get $i)))))
      (local.set $acc (select (local.get $acc) (i64.const 7) (i64.gt_s (local.get $acc) (i64.const 0))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (i32.wrap_i64 (local.get $acc))))`;

describe('instrumentModule: hand-written functions', () => {
  let wasm: Uint8Array;
  beforeAll(async () => {
    const wabt = await (await import('wabt')).default();
    wasm = new Uint8Array(wabt.parseWat('t.wat', WAT).toBinary({}).buffer);
  });

  it('counts a br_if loop: 10 per iteration + 4, markers only on fall-through', async () => {
    for (const n of [0, 1, 5, 37]) {
      const { value, classes: c, opcodes: o } = await instrumentedCall(wasm, 'sum', [n]);
      expect(value).toBe((n * (n + 1)) / 2);
      // per iteration: get s, get n, add, set s, get n, const 1, sub, set n, get n, br_if
      // once: get n, eqz, br_if (exit test) and the final get s
      expect(totalInstructions(c)).toBe(n === 0 ? 4 : 10 * n + 4);
      expect([c.local, c.i32, c.const, c.compare, c.branch]).toEqual(n === 0 ? [2, 0, 0, 1, 1] : [6 * n + 2, 2 * n, n, 1, n + 1]);
      // n = 0 branches past the block's end; otherwise block, loop, their two ends and the function end
      expect(c.control).toBe(n === 0 ? 2 : 5);
      expect(o['(br_if not taken)']).toBe(n === 0 ? 0 : 2); // the exit test, then the loop's last br_if
    }
  });

  it('counts both arms of if/else (7 each) and the else/end markers', async () => {
    for (const x of [-3, 4]) {
      const { classes: c, opcodes: o } = await instrumentedCall(wasm, 'ifelse', [x]);
      expect(totalInstructions(c)).toBe(7);
      expect(x < 0 ? [o.else, o.end ?? 0, c['i32.mul']] : [o.else ?? 0, o.end, c['i32.mul']]).toEqual(x < 0 ? [1, 0, 0] : [0, 1, 1]);
    }
  });

  it('stops counting at an early return: 12 per full iteration', async () => {
    for (const [n, k] of [[10, 0], [10, 3], [10, 9], [4, 8]]) {
      const { value, classes: c } = await instrumentedCall(wasm, 'find', [n, k]);
      expect(value).toBe(k < n ? k : -1);
      // full iteration: get i, get k, eq, if, get i, const, add, set i, get i, get n, lt_u, br_if
      // found: get i, get k, eq, if, get i, return;  not found: + const -1 after the loop
      expect(totalInstructions(c)).toBe(k < n ? 12 * k + 6 : 12 * n + 1);
    }
  });

  it('counts br_table and the returns behind it', async () => {
    for (const x of [0, 1, 2, 3, 99]) {
      const { value, classes: c } = await instrumentedCall(wasm, 'switch', [x]);
      expect(value).toBe([10, 20, 30][x] ?? 40);
      // get x, br_table, const, then return (cases 0-2) or the function end (a marker)
      expect([totalInstructions(c), c.branch, c.control]).toEqual(x < 3 ? [4, 2, 4] : [3, 1, 5]);
    }
  });

  it('agrees with wasm-interp --trace opcode by opcode on every function', async () => {
    const calls: [string, number[]][] = [['sum', [0]], ['sum', [9]], ['ifelse', [-2]], ['ifelse', [2]], ['find', [10, 4]],
      ['find', [3, 5]], ['switch', [1]], ['switch', [7]], ['mix', [1]], ['mix', [23]]];
    for (const [name, args] of calls) {
      const { opcodes } = await instrumentedCall(wasm, name, args);
      expect(asWabtTrace(opcodes), `${name}(${args})`).toEqual(await traceCounts(wasm, name, args));
    }
  });

  it('resets its counters and keeps counting across calls', async () => {
    const { instance, fn, classes } = await instrumentedCall(wasm, 'mix', [5]);
    fn(5);
    expect(totalInstructions(countInstructions(instance))).toBe(2 * totalInstructions(classes));
    resetCounts(instance);
    expect(totalInstructions(countInstructions(instance))).toBe(0);
  });
});

describe('instrumentModule: a compiled rnnc model', () => {
  it('GRU-64 (int8x16): step() and run(2) equal wasm-interp --trace, opcode by opcode', async () => {
    const dir = `${FIXTURES}/bench/gru_i32_h64_s100`;
    const { module } = await compileModel(dir, { ...DEFAULT_COMPILE, quant: 'int8x16', data: `${dir}/test_data_set_0`, maxSteps: 2 });
    // wasm-interp runs each export on a fresh instance: zeroed state and input, the same code path.
    const step = await instrumentedCall(module.wasm, 'step');
    const traceStep = await traceCounts(module.wasm, 'step');
    expect(asWabtTrace(step.opcodes)).toEqual(traceStep);
    const run2 = await instrumentedCall(module.wasm, 'run', [2]);
    const traceRun2 = await traceCounts(module.wasm, 'run', [2]);
    expect(asWabtTrace(run2.opcodes)).toEqual(traceRun2);
    // Sanity on scale: one step does at least one multiply per MAC (3·64·(32+64) = 18,432).
    expect(step.classes['i32.mul']).toBeGreaterThanOrEqual(18432);
    expect(totalInstructions(run2.classes)).toBeGreaterThan(1.9 * totalInstructions(step.classes));
  }, 180_000);
});
