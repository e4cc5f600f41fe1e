/**
 * @fileoverview Target profiles are data (targets/devices.json, targets/runtimes.json): devices
 * (core, clock, memories, power) and WebAssembly runtimes (accepted features). Code asks a
 * profile for capabilities; it never tests a target's name. Every number carries its source.
 */
import { readFileSync } from 'node:fs';
import { fail } from '../compiler/errors.ts';
import { packageRoot } from '../compiler/paths.ts';
import type { WasmFeatures } from '../compiler/build/asc.ts';

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
  ['active_mw', 'number'], ['sleep_uw', 'number'], ['memory_factor', 'number'], ['dsp', 'boolean'], ['activation_table_log2n', 'number'],
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
