/**
 * @fileoverview The external tools the MCU validation needs (wabt's wasm2c and its runtime
 * header, the GNU Arm bare-metal toolchain with newlib, QEMU's Arm system emulator), found on
 * PATH, and their versions for reports.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface ToolCheck {
  ok: boolean;
  /** One entry per missing piece, naming the tool and the Debian package that provides it. */
  missing: string[];
  /** Directory holding wasm-rt.h (wabt's wasm2c runtime header). */
  wasmRtInclude?: string;
  /** The wasm2c executable used (the system one: see findWasm2c). */
  wasm2c?: string;
  versions: { wasm2c?: string; gcc?: string; qemu?: string };
}

/** Where Debian's wabt package (and a source install) put wasm-rt.h; WASM2C_RUNTIME_DIR overrides. */
const WASM_RT_DIRS = ['/usr/src/wasm2c', '/usr/share/wabt/wasm2c', '/usr/local/share/wabt/wasm2c', '/usr/include', '/usr/local/include'];

function firstLine(cmd: string, args: string[]): string | undefined {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error || r.status !== 0) return undefined;
  return (r.stdout || r.stderr).split('\n')[0].trim();
}

/**
 * The wasm2c to use: $WASM2C, else the first on PATH outside node_modules. npm's `wabt` package
 * (a dependency of rnnc) puts a newer wasm2c in node_modules/.bin, which npm scripts and npx put
 * first on PATH; its generated C needs the runtime header of its own version, which that package
 * does not ship, so the system wabt (wasm2c with its wasm-rt.h) is used instead.
 */
function findWasm2c(): string | undefined {
  if (process.env.WASM2C) return process.env.WASM2C;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir || dir.split(/[\\/]/).includes('node_modules')) continue;
    try {
      accessSync(join(dir, 'wasm2c'), constants.X_OK);
      return join(dir, 'wasm2c');
    } catch {
      // not here
    }
  }
  return undefined;
}

let cached: ToolCheck | undefined;

export function toolsAvailable(): ToolCheck {
  if (cached) return cached;
  const missing: string[] = [];
  const wasm2cPath = findWasm2c();
  const wasm2c = wasm2cPath && firstLine(wasm2cPath, ['--version']);
  if (!wasm2c) missing.push('wasm2c (Debian package wabt)');
  const dirs = [process.env.WASM2C_RUNTIME_DIR, ...WASM_RT_DIRS].filter((d): d is string => !!d);
  const wasmRtInclude = dirs.find((d) => existsSync(join(d, 'wasm-rt.h')));
  if (wasm2c && !wasmRtInclude) missing.push('wasm-rt.h, the wasm2c runtime header (Debian package wabt; or set WASM2C_RUNTIME_DIR)');
  const gcc = firstLine('arm-none-eabi-gcc', ['--version']);
  if (!gcc) missing.push('arm-none-eabi-gcc (Debian package gcc-arm-none-eabi)');
  else {
    const libc = spawnSync('arm-none-eabi-gcc', ['-mthumb', '-mcpu=cortex-m0', '-print-file-name=libc_nano.a'], { encoding: 'utf8' }).stdout.trim();
    if (!libc.startsWith('/') || !existsSync(libc)) missing.push('newlib for arm-none-eabi (Debian package libnewlib-arm-none-eabi)');
  }
  for (const bin of ['arm-none-eabi-nm', 'arm-none-eabi-size', 'arm-none-eabi-objdump']) {
    if (gcc && !firstLine(bin, ['--version'])) missing.push(`${bin} (Debian package binutils-arm-none-eabi)`);
  }
  const qemu = firstLine('qemu-system-arm', ['--version']);
  if (!qemu) missing.push('qemu-system-arm (Debian package qemu-system-arm)');
  cached = { ok: missing.length === 0, missing, wasmRtInclude, wasm2c: wasm2cPath, versions: { wasm2c, gcc, qemu } };
  return cached;
}

/** QEMU ≥ 8.1 spells -singlestep as -accel tcg,one-insn-per-tb=on (the old flag was removed in 9). */
export function oneInsnPerTbArgs(qemuVersion: string | undefined): string[] {
  const m = /version (\d+)\.(\d+)/.exec(qemuVersion ?? '');
  const [major, minor] = m ? [Number(m[1]), Number(m[2])] : [7, 2];
  return major > 8 || (major === 8 && minor >= 1) ? ['-accel', 'tcg,one-insn-per-tb=on'] : ['-singlestep'];
}
