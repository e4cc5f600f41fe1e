/**
 * The self-test harness check shared by the tests that run a compiled module's whole sequence under
 * both V8 and WABT's wasm-interp: the module's self-test hash (compiler/codegen/harness.ts) must equal
 * the hash of the simulator's outputs.
 */
import { expect } from 'vitest';
import { buildModule } from '../../compiler/build/module.ts';
import { runWasmInterp } from '../../compiler/build/wasm-interp.ts';
import { emitModuleSource } from '../../compiler/codegen/emit.ts';
import { expectedHash, harnessSource } from '../../compiler/codegen/harness.ts';
import { simulate } from '../../compiler/fixed/simulate.ts';
import type { Tensor } from '../../compiler/ir/types.ts';
import { inputSteps } from '../../compiler/lower/assemble.ts';
import type { Compiled } from '../../src/compile.ts';

/** run() over batch entry 1 of x, under V8 and wasm-interp, against the simulator's hash. */
export async function expectSelftestHash(c: Compiled, x: Tensor, label: string): Promise<void> {
  const src = emitModuleSource(c.plan, 'selftest') + harnessSource(c.plan, inputSteps(c.qp.program, x, 1), 'run', 1);
  const wasm = (await buildModule(c.plan, src, {}, c.kernels)).wasm;
  const want = expectedHash(c.plan, x, 1, simulate(c.qp, x));
  const { instance } = await WebAssembly.instantiate(new Uint8Array(wasm), {});
  expect((instance.exports.selftest as () => number)(), `${label} V8`).toBe(want);
  expect(runWasmInterp(wasm, 'selftest').value, `${label} wasm-interp`).toBe(want);
}
