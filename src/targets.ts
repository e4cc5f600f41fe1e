/**
 * @fileoverview Target profiles are data (targets/devices.json, targets/runtimes.json): devices
 * (core, clock, memories, power) and WebAssembly runtimes (accepted features). Code asks a
 * profile for capabilities; it never tests a target's name. Every number carries its source.
 */
import { readFileSync } from 'node:fs';
import { fail } from '../compiler/errors.ts';
import { packageRoot } from '../compiler/paths.ts';
import type { WasmFeatures } from '../compiler/build/asc.ts';
import { TIMING_CLASSES } from '../compiler/build/mcu/mix.ts';

export interface RuntimeProfile {
  name: string;
  summary: string;
  features: WasmFeatures;
  source: string;
}

export interface DeviceProfile {
  name: string;
  summary: string;
  core: string;
  clock_mhz: number;
  sram_kb: number;
  flash_kb: number;
  active_mw: number;
  sleep_uw: number;
  memory_factor: number;
  dsp: boolean;
  /** A single-precision FPU: f32 opcodes run as VFP instructions instead of libgcc soft-float calls. */
  fpu: boolean;
  /** log2 of the activation-table size this device's flash budget calls for. */
  activation_table_log2n: number;
  /** Per field: where the number comes from and a confidence mark (✔ read, ≈ derived, ? unverified). */
  sources: Record<string, string>;
}

export interface Target {
  name: string;
  device?: DeviceProfile;
  runtime: RuntimeProfile;
}

const DEVICE_FIELDS: [keyof DeviceProfile, string][] = [
  ['summary', 'string'], ['core', 'string'], ['clock_mhz', 'number'], ['sram_kb', 'number'], ['flash_kb', 'number'],
  ['active_mw', 'number'], ['sleep_uw', 'number'], ['memory_factor', 'number'], ['dsp', 'boolean'], ['fpu', 'boolean'], ['activation_table_log2n', 'number'],
];

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(`${packageRoot()}/targets/${file}`, 'utf8')) as T;
}

export function runtimeProfiles(): RuntimeProfile[] {
  const data = readJson<{ runtimes: Record<string, Omit<RuntimeProfile, 'name'>> }>('runtimes.json');
  return Object.entries(data.runtimes).map(([name, r]) => ({ name, ...r }));
}

/** Device profiles, validated: every numeric field positive, every field sourced with a confidence mark. */
export function deviceProfiles(): DeviceProfile[] {
  const data = readJson<{ devices: Record<string, Omit<DeviceProfile, 'name'>> }>('devices.json');
  return Object.entries(data.devices).map(([name, raw]) => {
    const d = raw as unknown as Record<string, unknown> & { sources?: Record<string, string> };
    for (const [key, type] of DEVICE_FIELDS) {
      if (typeof d[key] !== type) throw new Error(`targets/devices.json: ${name}.${key} must be a ${type}`);
      if (type === 'number' && !((d[key] as number) > 0)) throw new Error(`targets/devices.json: ${name}.${key} must be positive`);
      if (key !== 'summary' && !/[✔≈?]/.test(d.sources?.[key] ?? '')) throw new Error(`targets/devices.json: ${name}.${key} has no source with a confidence mark`);
    }
    return { name, ...raw };
  });
}

/** A core's cycles per executed instruction class (targets/timing.json), zero wait states. */
export interface TimingProfile {
  name: string;
  summary: string;
  /** Relative 1-sigma uncertainty of mix × table against silicon, and why. */
  band: number;
  band_source: string;
  cycles: Record<string, number>;
  sources: Record<string, string>;
}

/** Checks one timing table: a band with a marked source, every class of compiler/build/mcu/mix.ts priced (≥ 0) with a marked source, no unknown class. */
export function validateTiming(name: string, t: Omit<TimingProfile, 'name'>): TimingProfile {
  const where = `targets/timing.json: ${name}`;
  if (!(t.band > 0 && t.band < 1) || !/[✔≈?]/.test(t.band_source ?? '')) throw new Error(`${where}.band must be in (0, 1) with a marked band_source`);
  for (const c of TIMING_CLASSES) {
    if (!(typeof t.cycles?.[c] === 'number' && t.cycles[c] >= 0)) throw new Error(`${where}: no cycles for instruction class '${c}'`);
    if (!/[✔≈?]/.test(t.sources?.[c] ?? '')) throw new Error(`${where}.${c} has no source with a confidence mark`);
  }
  const extra = Object.keys(t.cycles).filter((c) => !(TIMING_CLASSES as readonly string[]).includes(c));
  if (extra.length) throw new Error(`${where}: unknown instruction classes ${extra.join(', ')}`);
  return { name, ...t };
}

/** Timing tables (targets/timing.json), validated. */
export function timingProfiles(): TimingProfile[] {
  const data = readJson<{ cores: Record<string, Omit<TimingProfile, 'name'>> }>('timing.json');
  return Object.entries(data.cores).map(([name, t]) => validateTiming(name, t));
}

/** `--target DEVICE`, `--target RUNTIME` or `--target DEVICE/RUNTIME` (default runtime: mvp). */
export function resolveTarget(spec: string | undefined): Target {
  const name = spec ?? 'mvp';
  const runtimes = runtimeProfiles();
  const devices = deviceProfiles();
  const [a, b] = name.split('/');
  const device = devices.find((d) => d.name === a);
  const runtimeName = b ?? (device ? 'mvp' : a);
  if (b !== undefined && !device) fail(`--target ${name}: unknown device '${a}' (known: ${devices.map((d) => d.name).join(', ')})`);
  const runtime = runtimes.find((r) => r.name === runtimeName)
    ?? fail(`--target ${name}: unknown runtime '${runtimeName}' (known runtimes: ${runtimes.map((r) => r.name).join(', ')}; devices: ${devices.map((d) => d.name).join(', ')})`);
  return { name, device, runtime };
}
