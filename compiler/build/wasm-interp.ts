/**
 * @fileoverview Runs one export of a module under WABT's reference interpreter (`wasm-interp`
 * from the wabt npm package), with every post-MVP feature disabled — a second, independent
 * engine besides V8 that also rejects anything an MVP-only MCU runtime would. Optionally counts
 * executed instructions from `--trace`, streamed: traces run to gigabytes on real models.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Everything the generated modules must run without (see asc.ts: all off by default). */
export const WASM_INTERP_MVP_FLAGS = [
  '--disable-simd', '--disable-bulk-memory', '--disable-sign-extension', '--disable-mutable-globals',
  '--disable-saturating-float-to-int', '--disable-multi-value', '--disable-reference-types',
];

export interface InterpResult {
  /** The export's i32 result, signed (as JS sees it from WebAssembly). */
  value: number;
  /** Executed interpreter instructions (WABT's internal stream: wasm ops plus a few pseudo-ops
   * such as alloca/br_unless/drop_keep), when traced. */
  tracedInstructions?: number;
}

// The wabt package's bin scripts are emscripten builds run by node; resolve wherever it is installed.
function interpScript(): string {
  return join(dirname(createRequire(import.meta.url).resolve('wabt/package.json')), 'bin', 'wasm-interp');
}

// Run inside a child node (so runWasmInterp can stay synchronous): spawns wasm-interp, counts
// trace lines ('#' first) as they stream by, and passes every other line through.
const TRACE_COUNTER = `
const { spawn } = require('node:child_process');
const c = spawn(process.execPath, process.argv.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
let n = 0, tail = '';
const other = [];
const take = (l) => { if (l.charCodeAt(0) === 35) n++; else if (l) other.push(l); };
c.stdout.setEncoding('latin1');
c.stdout.on('data', (s) => { const ls = (tail + s).split('\\n'); tail = ls.pop(); ls.forEach(take); });
c.on('close', (code) => { take(tail); process.stdout.write(other.join('\\n') + '\\ntraced ' + n + '\\n'); process.exitCode = code ?? 1; });
`;

/** Runs `exportName` (no arguments, returning i32) and parses its result line. */
export function runWasmInterp(wasm: Uint8Array, exportName: string, opts: { trace?: boolean; timeoutMs?: number } = {}): InterpResult {
  const dir = mkdtempSync(join(tmpdir(), 'rnnc-interp-'));
  try {
    const file = join(dir, 'module.wasm');
    writeFileSync(file, wasm);
    const args = [interpScript(), file, ...WASM_INTERP_MVP_FLAGS, `--run-export=${exportName}`, ...(opts.trace ? ['--trace'] : [])];
    const r = spawnSync(process.execPath, opts.trace ? ['-e', TRACE_COUNTER, ...args] : args, {
      encoding: 'latin1', timeout: opts.timeoutMs ?? 600_000, maxBuffer: 1 << 26,
    });
    const text = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
    if (r.error || r.status !== 0) throw new Error(`wasm-interp failed (${r.error?.message ?? `exit ${r.status}`}): ${text.slice(0, 500)}`);
    // wasm-interp exits 0 even on traps and unknown exports: the result line is the only signal.
    const esc = exportName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const m = new RegExp(`^${esc}\\(\\) => (.*)$`, 'm').exec(r.stdout);
    if (!m) throw new Error(`wasm-interp: no result for export '${exportName}': ${text.slice(0, 500)}`);
    const v = /^i32:(\d+)$/.exec(m[1]);
    if (!v) throw new Error(`wasm-interp: ${exportName}() => ${m[1]}`);
    const traced = /^traced (\d+)$/m.exec(r.stdout);
    return { value: Number(v[1]) | 0, ...(opts.trace ? { tracedInstructions: Number(traced?.[1] ?? NaN) } : {}) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
