/**
 * @fileoverview Runs a firmware image in qemu-system-arm. `runFirmware` executes the whole
 * sequence and collects what the harness prints over semihosting. `countInstructions` runs the
 * counting mode under `-singlestep -d exec,nochain`: QEMU then translates every guest instruction
 * as its own block, never chains blocks, and logs one "Trace" line (with the PC) each time a block
 * starts executing, i.e. exactly one line per executed instruction. The log (QEMU's stderr) is
 * parsed as it streams: no trace file is written.
 */
import { spawn } from 'node:child_process';
import { CORES, type McuCore } from './cores.ts';
import { MixRecorder, type Insn, type InstructionMix } from './mix.ts';
import { oneInsnPerTbArgs, toolsAvailable } from './tools.ts';

/** Per QEMU run; RNNC_QEMU_TIMEOUT_S raises it (large soft-float models trace tens of millions of instructions). */
const TIMEOUT_MS = 1000 * Number(process.env.RNNC_QEMU_TIMEOUT_S ?? 180);

function qemuArgs(core: McuCore, elf: string, mode: 'run' | 'count'): string[] {
  return [
    '-M', CORES[core].machine, '-display', 'none', '-monitor', 'none', '-serial', 'none', '-nodefaults', '-nic', 'none',
    // Semihosting output on stdout (without a chardev QEMU writes it to stderr, where the trace goes).
    '-chardev', 'stdio,id=semihost,signal=off',
    '-semihosting-config', `enable=on,target=native,chardev=semihost,arg=firmware,arg=${mode}`, '-kernel', elf,
  ];
}

interface Spawned { code: number | null; stdout: string; stderrTail: string }

/** Spawns QEMU; stderr goes to onStderr chunk by chunk (the trace), stdout is collected. */
function spawnQemu(args: string[], onStderr: (chunk: string) => void): Promise<Spawned> {
  return new Promise((resolve, reject) => {
    const child = spawn('qemu-system-arm', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderrTail = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.stdout.setEncoding('latin1').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('latin1').on('data', (c: string) => {
      onStderr(c);
      stderrTail = (stderrTail + c).slice(-2000);
    });
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderrTail }); });
  });
}

function checkEnd(r: Spawned, what: string): void {
  const fail = /^FAIL (.*)$/m.exec(r.stdout);
  if (fail) throw new Error(`mcu: ${what}: ${fail[1]}`);
  if (r.code !== 0 || !/^END$/m.test(r.stdout)) {
    throw new Error(`mcu: ${what}: qemu exited with ${r.code} without END\n${r.stdout.slice(-1000)}\n${r.stderrTail.slice(-1000)}`);
  }
}

/** Runs the whole sequence; returns the bytes printed per tag (o<k>, s, stack), concatenated. */
export async function runFirmware(core: McuCore, elf: string): Promise<Map<string, Uint8Array>> {
  const r = await spawnQemu(qemuArgs(core, elf, 'run'), () => {});
  checkEnd(r, `run on ${core}`);
  const hex = new Map<string, string[]>();
  for (const line of r.stdout.split('\n')) {
    const m = /^(\w+) ([0-9a-f]*)$/.exec(line.trim());
    if (m) hex.set(m[1], [...(hex.get(m[1]) ?? []), m[2]]);
  }
  return new Map([...hex].map(([tag, parts]) => [tag, Uint8Array.from(Buffer.from(parts.join(''), 'hex'))]));
}

export interface Symbols { get(name: string): { addr: number; size: number } | undefined }

export interface InstructionCounts {
  /** Instructions per marked region, in program order. */
  segments: number[];
  /** Trace lines dropped as re-entries of the block just logged (see below); normally 0. */
  replays: number;
  /** With a disassembly: the executed-instruction mix of each region (mix.ts). */
  mixes?: InstructionMix[];
}

/**
 * Counts executed instructions in each region between mcu_mark_begin and mcu_mark_end, leaving
 * out the instructions of the mcu_counted_* wrappers themselves (call set-up, marker calls): what
 * remains is exactly what the called function executed, from its first instruction to its return.
 * QEMU logs a block when it enters it; if an exit request (from another QEMU thread) stops the
 * block before its instruction runs, the block is entered and logged again at the same PC. The
 * harness code never branches to itself, so a line repeating the previous PC is such a replay and
 * is not counted.
 */
export async function countInstructions(core: McuCore, elf: string, symbols: Symbols, insns?: Map<number, Insn>): Promise<InstructionCounts> {
  const sym = (n: string) => {
    const s = symbols.get(n);
    if (!s) throw new Error(`mcu: symbol ${n} missing from the firmware`);
    return s;
  };
  const begin = sym('mcu_mark_begin').addr, end = sym('mcu_mark_end').addr;
  const wrappers = ['mcu_counted_step', 'mcu_counted_run', 'mcu_counted_calib'].map(sym);
  const segments: number[] = [];
  let inside = false, count = 0, rest = '', traced = 0, replays = 0, lastPc = -1;
  // The executed-instruction mix of each region (mix.ts), when a disassembly is given.
  const mixes: InstructionMix[] = [];
  const recorder = insns && new MixRecorder(insns);
  const onLine = (line: string) => {
    if (!line.startsWith('Trace ')) return;
    traced++;
    const slash = line.indexOf('/', line.indexOf('['));
    const pc = parseInt(line.slice(slash + 1, slash + 9), 16);
    if (pc === lastPc) {
      replays++;
      return;
    }
    lastPc = pc;
    if (pc === begin) {
      if (inside) throw new Error('mcu: nested counting markers');
      inside = true;
      count = 0;
      recorder?.begin();
    } else if (pc === end) {
      if (!inside) throw new Error('mcu: end marker without a begin marker');
      inside = false;
      segments.push(count);
      if (recorder) mixes.push(recorder.close());
    } else if (inside) {
      const counted = !wrappers.some((w) => pc >= w.addr && pc < w.addr + w.size);
      if (counted) count++;
      recorder?.step(pc, counted);
    }
  };
  let parseError: unknown;
  const r = await spawnQemu([...qemuArgs(core, elf, 'count'), ...oneInsnPerTbArgs(toolsAvailable().versions.qemu), '-d', 'exec,nochain'], (chunk) => {
    if (parseError) return;
    const lines = (rest + chunk).split('\n');
    rest = lines.pop()!;
    try {
      for (const l of lines) onLine(l);
    } catch (e) {
      parseError = e;
    }
  });
  if (parseError) throw parseError;
  onLine(rest);
  checkEnd(r, `instruction count on ${core}`);
  if (traced === 0) throw new Error('mcu: qemu printed no exec trace (is -d exec supported?)');
  return { segments, replays, mixes: insns ? mixes : undefined };
}
