/**
 * The static op counts (src/estimate/counts.ts staticStepCounts) of a compiled module must be the
 * instrumented module's executed counts, opcode by opcode and class by class.
 */
import { expect } from 'vitest';
import { measureStepCounts, staticStepCounts } from '../../src/estimate/counts.ts';
import type { Manifest } from '../../src/manifest.ts';

export async function expectStaticCountsAgree(c: { module: { wasm: Uint8Array }; manifest: Manifest }, what = ''): Promise<void> {
  const measured = await measureStepCounts(c.module.wasm, c.manifest);
  const derived = staticStepCounts(c.module.wasm, c.manifest);
  const nonzero = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).filter(([, n]) => n !== 0));
  expect(nonzero(derived.opcodes), `${what}: static = instrumented per opcode`).toEqual(nonzero(measured.opcodes));
  expect(derived.classes, `${what}: per class`).toEqual(measured.classes);
}
