/**
 * Target profiles load and validate against their schema (every number sourced with a confidence
 * mark), `--target` resolves device, runtime and device/runtime forms, and `rnnc targets` lists them.
 */
import { describe, expect, it } from 'vitest';
import { deviceProfiles, resolveTarget, runtimeProfiles } from '../src/targets.ts';
import { costData } from '../src/estimate/profile.ts';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES, rnnc } from './helpers/cli.ts';

describe('target profiles', () => {
  it('has the ten required devices, each field sourced', () => {
    const names = deviceProfiles().map((d) => d.name).sort();
    expect(names).toEqual(['esp32', 'esp32c3', 'nrf52840', 'nrf5340', 'rp2040', 'samd21', 'stm32f446', 'stm32h7a3', 'stm32l4r5', 'stm32u575']);
    for (const d of deviceProfiles()) for (const v of Object.values(d.sources)) expect(v).toMatch(/[✔≈?]/);
  });

  it('runtimes carry feature sets and sources; none of the MCU runtimes allows SIMD', () => {
    const rt = Object.fromEntries(runtimeProfiles().map((r) => [r.name, r]));
    for (const n of ['wasm3', 'wamr-classic', 'wamr-fast', 'wamr-aot', 'wasm2c']) {
      expect(rt[n].source.length).toBeGreaterThan(10);
      expect(rt[n].features.simd ?? false).toBe(false);
    }
    expect(rt.mvp.features).toEqual({});
  });

  it('small-flash devices choose smaller activation tables', () => {
    const d = Object.fromEntries(deviceProfiles().map((x) => [x.name, x]));
    expect(d.samd21.activation_table_log2n).toBeLessThan(d.nrf52840.activation_table_log2n);
  });

  it('compile --target samd21 uses the device table size (visible in the manifest)', () => {
    const dir = `${FIXTURES}/conformance/generated/rnn_relu`;
    const out = join(mkdtempSync(join(tmpdir(), 'rnnc-t-')), 'm');
    expect(rnnc('compile', dir, '--data', `${dir}/test_data_set_0`, '--target', 'samd21', '-o', out).code).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'model.manifest.json'), 'utf8')).activations.lut_log2n).toBe(7);
  });

  it('wasm2c costs use the ARMv6-M table on Cortex-M0+ devices (loads become memcpy calls there)', () => {
    const w = costData().runtimes.get('wasm2c')!;
    expect(w.perOp('i32.load16_s', 'cortex-m0plus')).toBeGreaterThan(3 * w.perOp('i32.load16_s', 'cortex-m4f'));
    expect(w.perOp('i32.load16_s', 'cortex-m4f')).toBe(w.perOp('i32.load16_s'));
    // WAMR AOT is scaled from wasm2c, per core too.
    const aot = costData().runtimes.get('wamr-aot')!;
    expect(aot.perOp('i32.load16_s', 'cortex-m0plus') / w.perOp('i32.load16_s', 'cortex-m0plus')).toBeCloseTo(1.2, 6);
  });

  it('resolves DEVICE, RUNTIME and DEVICE/RUNTIME', () => {
    expect(resolveTarget('nrf52840/wasm3').device?.clock_mhz).toBe(64);
    expect(resolveTarget('nrf52840/wasm3').runtime.name).toBe('wasm3');
    expect(resolveTarget('wasm2c').device).toBeUndefined();
    expect(resolveTarget('samd21').runtime.name).toBe('mvp');
    expect(() => resolveTarget('pdp11/wasm3')).toThrow(/unknown device 'pdp11'/);
  });

  it('rnnc targets --json lists the same profiles', () => {
    const r = rnnc('targets', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.devices.length).toBe(10);
    expect(j.runtimes.map((x: { name: string }) => x.name)).toContain('wasm3');
    expect(j.timing.map((x: { name: string }) => x.name)).toContain('cortex-m4f');
    expect(j.devices.every((d: { fpu: unknown }) => typeof d.fpu === 'boolean')).toBe(true);
  });
});
