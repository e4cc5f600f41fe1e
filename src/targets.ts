/**
 * @fileoverview Target profiles are data (targets/*.json). Code asks a profile for capabilities
 * (allowed wasm features); it never tests a target's name.
 */
import { readFileSync } from 'node:fs';
import { packageRoot } from '../compiler/paths.ts';
import { fail } from '../compiler/errors.ts';
import type { WasmFeatures } from '../compiler/build/asc.ts';

export interface RuntimeProfile {
  name: string;
  summary: string;
  features: WasmFeatures;
  source: string;
}

const TARGETS_DIR = `${packageRoot()}/targets/`;

export function runtimeProfiles(): RuntimeProfile[] {
  const data = JSON.parse(readFileSync(`${TARGETS_DIR}runtimes.json`, 'utf8')) as { runtimes: Record<string, Omit<RuntimeProfile, 'name'>> };
  return Object.entries(data.runtimes).map(([name, r]) => ({ name, ...r }));
}

/** `--target RUNTIME` (device profiles join with the estimator). */
export function resolveTarget(spec: string | undefined): RuntimeProfile {
  const name = spec ?? 'mvp';
  const runtime = name.includes('/') ? name.split('/')[1] : name;
  const all = runtimeProfiles();
  return all.find((r) => r.name === runtime) ?? fail(`--target ${name}: unknown runtime '${runtime}' (known: ${all.map((r) => r.name).join(', ')})`);
}
