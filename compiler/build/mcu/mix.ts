/**
 * @fileoverview The executed-instruction mix of a counted region, and its cycles under a core's
 * published timing table (targets/timing.json).
 *
 * QEMU's exec trace gives one PC per executed instruction (qemu.ts). The firmware's disassembly
 * (`arm-none-eabi-objdump -d`) maps each PC to its instruction; the trace adds the facts per PC
 * that the Cortex-M3/M4 timing rules (Arm DDI0337I §3.3 "Load/store timings") need and the
 * disassembly alone cannot give: whether the next executed PC was the sequential one (a branch
 * was taken); whether the previous instruction was a single LDR (the next LDR/STR then pipelines:
 * one cycle less); whether a load/store's address uses the register the previous data-processing
 * instruction wrote (one stall cycle, no forwarding path). Instructions are grouped by their text
 * (branch targets dropped), classified into timing classes, and priced per class.
 */

/** One disassembled instruction. */
export interface Insn { size: 2 | 4; mnemonic: string; operands: string }

/**
 * Per normalised instruction text: executions; executions followed by a non-sequential PC;
 * executions right after a single LDR; executions whose address register the previous
 * data-processing instruction wrote.
 */
export interface MixEntry { n: number; taken: number; afterLoad: number; addrDep: number }
export type InstructionMix = Record<string, MixEntry>;

/** Parses `objdump -d` output (with raw bytes: their count gives the instruction size). */
export function parseObjdump(text: string): Map<number, Insn> {
  const out = new Map<number, Insn>();
  // "   8a4:\tf8d3 3004 \tldr.w\tr3, [r3, #4]" — address, 1 or 2 halfwords, mnemonic, operands.
  const line = /^\s*([0-9a-f]+):\t([0-9a-f]{4})(?: ([0-9a-f]{4}))?\s*\t(\S+)(?:\t(.*))?$/;
  for (const l of text.split('\n')) {
    const m = line.exec(l);
    if (!m || m[4].startsWith('.')) continue; // literal pools (.word, .short) are data, never executed
    out.set(parseInt(m[1], 16), { size: m[3] ? 4 : 2, mnemonic: m[4], operands: (m[5] ?? '').replace(/\s*[;@].*$/, '').trim() });
  }
  return out;
}

const BRANCHES = /^(b|bl|blx|bx|cbz|cbnz)(eq|ne|cs|hs|cc|lo|mi|pl|vs|vc|hi|ls|ge|lt|gt|le|al)?(\.[nw])?$/;

/** The mix key: mnemonic and operands; for branches the mnemonic alone (targets differ, timing does not). */
export function mixKey(i: Insn): string {
  if (BRANCHES.test(i.mnemonic) && !/^(bx|blx)/.test(i.mnemonic)) return i.mnemonic;
  return i.operands ? `${i.mnemonic} ${i.operands}` : i.mnemonic;
}

/** Timing classes (targets/timing.json rows). `*_regs` classes count registers (the N of 1+N). */
export const TIMING_CLASSES = [
  'alu', 'shift', 'mul', 'mla', 'mull', 'mlal', 'div',
  'load', 'load_pipelined', 'store', 'store_reg_offset', 'agu_stall',
  'load_multi', 'load_multi_regs', 'store_multi', 'store_multi_regs',
  'branch_taken', 'branch_not_taken', 'call', 'branch_reg', 'pop_pc', 'pop_pc_regs', 'table_branch',
  'it', 'vfp', 'vfp_mac', 'vfp_div', 'vfp_mem', 'other',
] as const;
export type TimingClass = (typeof TIMING_CLASSES)[number];

const stripCond = (m: string) => m.replace(/\.[nw]$/, '');
const regCount = (list: string) => {
  // "{r4, r5, r6, lr}" or "{r4-r7, pc}": each name or range counts its registers.
  const inner = /\{([^}]*)\}/.exec(list)?.[1] ?? '';
  return inner.split(',').map((s) => s.trim()).filter(Boolean).reduce((a, r) => {
    const range = /^[rs](\d+)-[rs](\d+)$/.exec(r);
    return a + (range ? Number(range[2]) - Number(range[1]) + 1 : 1);
  }, 0);
};
/** Whether a mix key is a single (not multiple) integer load or store — the instructions M3/M4 pipeline. */
export function isSingleMemory(key: string): boolean {
  return /^(ldr|str)(b|h|sb|sh|ex|exb|exh)?(eq|ne|cs|hs|cc|lo|mi|pl|vs|vc|hi|ls|ge|lt|gt|le)?(\.[nw])? /.test(key) && !/^ldr\S* pc,/.test(key);
}

/** What the trace needs to know of one instruction about its neighbours. */
export interface InsnFacts {
  key: string;
  /** A single LDR (not to PC): the next LDR/STR pipelines behind it. */
  singleLoad: boolean;
  /** Register a data-processing instruction writes (none for compares, loads, branches). */
  writes?: string;
  /** Registers a load/store forms its address from (inside the brackets). */
  addressRegs: string[];
}

export function insnFacts(i: Insn): InsnFacts {
  const key = mixKey(i);
  const single = isSingleMemory(key);
  const [mn] = key.split(' ');
  const dataProcessing = !single && !BRANCHES.test(mn) && !/^(cmp|cmn|tst|teq|it|tb[bh]|push|pop|ldm|stm|ldrd|strd|v|nop)/.test(mn);
  const first = /^(r\d+|ip|lr|fp|sl|sb)\b/.exec(i.operands)?.[1];
  const bracket = /\[([^\]]*)\]/.exec(i.operands)?.[1] ?? '';
  return {
    key, singleLoad: single && mn.startsWith('ldr'), writes: dataProcessing ? first : undefined,
    addressRegs: single ? (bracket.match(/\b(r\d+|ip|lr|fp|sl|sb|sp)\b/g) ?? []) : [],
  };
}

/**
 * Classifies one mix entry: the timing classes it contributes to, with counts. A branch's taken
 * and not-taken executions go to different classes; LDM/POP/PUSH add their register count N to a
 * `_regs` class (1 + N cycles: the base class holds the 1).
 */
export function classify(key: string, e: MixEntry): Partial<Record<TimingClass, number>> {
  const [mn0, ...rest] = key.split(' ');
  const ops = rest.join(' ');
  const mn = stripCond(mn0);
  const cond = '(eq|ne|cs|hs|cc|lo|mi|pl|vs|vc|hi|ls|ge|lt|gt|le)?';
  const is = (re: string) => new RegExp(`^(${re})s?${cond}$`).test(mn); // UAL: flags then condition, e.g. andsne
  const regs = regCount(ops);
  // Branches: taken or not from the next executed PC. A conditional BX/POP in an IT block whose
  // condition fails is logged by QEMU all the same; it costs what a not-taken branch does (1).
  if (BRANCHES.test(mn)) {
    if (mn === 'bl') return { call: e.n };
    if (/^(bx|blx)/.test(mn)) return { branch_reg: e.taken, branch_not_taken: e.n - e.taken };
    return { branch_taken: e.taken, branch_not_taken: e.n - e.taken };
  }
  if (/^(pop|ldm)/.test(mn) && /\bpc\}/.test(ops)) return { pop_pc: e.taken, pop_pc_regs: e.taken * regs, branch_not_taken: e.n - e.taken };
  if (/^ldr/.test(mn) && /^pc,/.test(ops)) return { branch_reg: e.n, load: e.n };
  if (/^tb[bh]$/.test(mn)) return { table_branch: e.n };
  if (/^(mov|add)/.test(mn) && /^pc,/.test(ops)) return { branch_reg: e.n };
  if (/^(pop|ldm)/.test(mn)) return { load_multi: e.n, load_multi_regs: e.n * regs };
  if (/^ldrd/.test(mn)) return { load_multi: e.n, load_multi_regs: 2 * e.n };
  if (/^(push|stm)/.test(mn)) return { store_multi: e.n, store_multi_regs: e.n * regs };
  if (/^strd/.test(mn)) return { store_multi: e.n, store_multi_regs: 2 * e.n };
  if (isSingleMemory(key)) {
    if (/^ldr/.test(mn)) return { load: e.n - e.afterLoad, load_pipelined: e.afterLoad, agu_stall: e.addrDep };
    // "str r0, [r1, r2]": register offset (2 cycles unless behind an LDR); "STR Rx,[Ry,#imm] is always one cycle" on M3/M4.
    if (/\[[^\]]*,\s*(r\d|ip|lr|fp|sl|sb)/.test(ops)) return { store_reg_offset: e.n - e.afterLoad, store: e.afterLoad, agu_stall: e.addrDep };
    return { store: e.n, agu_stall: e.addrDep };
  }
  if (/^it[te]*$/.test(mn)) return { it: e.n };
  if (/^v(div|sqrt)/.test(mn)) return { vfp_div: e.n };
  if (/^v(n?ml[as]|n?fm[as])/.test(mn)) return { vfp_mac: e.n };
  if (/^v(ldr|str|ldm|stm|push|pop)/.test(mn)) return { vfp_mem: e.n };
  if (/^v/.test(mn)) return { vfp: e.n };
  if (is('sdiv|udiv')) return { div: e.n };
  if (is('smlal|umlal|smlalbb|smlalbt|smlaltb|smlaltt|smlald|smlaldx|smlsld|umaal')) return { mlal: e.n };
  if (is('smull|umull')) return { mull: e.n };
  if (is('mla|mls|smla[bt][bt]|smlaw[bt]|smlad|smladx|smlsd|smmla|smmls|usada8')) return { mla: e.n };
  if (is('mul|smul[bt][bt]|smulw[bt]|smmul|smuad|smusd|usad8')) return { mul: e.n };
  if (is('lsl|lsr|asr|ror|rrx')) return { shift: e.n };
  if (is('mov|mvn|add|addw|adc|adr|sub|subw|sbc|rsb|neg|cmp|cmn|tst|teq|and|orr|orn|eor|bic|movw|movt|sxtb|sxth|uxtb|uxth|sxtab|sxtah|uxtab|uxtah|ubfx|sbfx|bfi|bfc|clz|rev|rev16|revsh|rbit|ssat|usat|qadd|qsub|sel|nop')) return { alu: e.n };
  return { other: e.n };
}

/** Timing-class counts of a whole mix. */
export function classCounts(mix: InstructionMix): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, e] of Object.entries(mix)) {
    for (const [c, n] of Object.entries(classify(key, e))) if (n) out[c] = (out[c] ?? 0) + n;
  }
  return out;
}

/** Cycles of a mix: Σ class count × the table's cycles for that class (a class the table lacks is an error). */
export function mixCycles(mix: InstructionMix, cyclesPerClass: Record<string, number>): number {
  let cycles = 0;
  for (const [c, n] of Object.entries(classCounts(mix))) {
    const k = cyclesPerClass[c];
    if (k === undefined) throw new Error(`timing table has no cycles for instruction class '${c}'`);
    cycles += n * k;
  }
  return cycles;
}

/** Σ weight · mix, entry by entry (a mean of steps, or run(2N) − run(N) over N). */
export function combineMixes(parts: [InstructionMix, number][]): InstructionMix {
  const out: InstructionMix = {};
  for (const [mix, w] of parts) {
    for (const [k, e] of Object.entries(mix)) {
      const t = (out[k] ??= { n: 0, taken: 0, afterLoad: 0, addrDep: 0 });
      t.n += w * e.n; t.taken += w * e.taken; t.afterLoad += w * e.afterLoad; t.addrDep += w * e.addrDep;
    }
  }
  for (const [k, e] of Object.entries(out)) if (Math.abs(e.n) < 1e-9) delete out[k];
  return out;
}

/**
 * Builds a region's mix from its executed PCs in order. `counted` is false for PCs that are
 * executed but not part of the region (the harness's wrappers): they still end the previous
 * instruction (its branch was taken if they are not the sequential PC) and are its successor.
 */
export class MixRecorder {
  private facts = new Map<number, InsnFacts>();
  private perPc = new Map<number, MixEntry>();
  private pending: { pc: number; e: MixEntry } | undefined;
  private prev: InsnFacts | undefined;

  constructor(private insns: Map<number, Insn>) {}

  private factsAt(pc: number): InsnFacts | undefined {
    let f = this.facts.get(pc);
    const insn = this.insns.get(pc);
    if (!f && insn) this.facts.set(pc, (f = insnFacts(insn)));
    return f;
  }

  /** Starts a region: nothing before it is its predecessor. */
  begin(): void {
    this.prev = undefined;
    this.pending = undefined;
  }

  step(pc: number, counted: boolean): void {
    if (this.pending && pc !== this.pending.pc + this.insns.get(this.pending.pc)!.size) this.pending.e.taken++;
    this.pending = undefined;
    const f = this.factsAt(pc);
    if (counted) {
      if (!f) throw new Error(`mcu: executed PC 0x${pc.toString(16)} is not in the disassembly`);
      let e = this.perPc.get(pc);
      if (!e) this.perPc.set(pc, (e = { n: 0, taken: 0, afterLoad: 0, addrDep: 0 }));
      e.n++;
      if (this.prev?.singleLoad) e.afterLoad++;
      if (this.prev?.writes && f.addressRegs.includes(this.prev.writes)) e.addrDep++;
      this.pending = { pc, e };
    }
    this.prev = f;
  }

  /** Ends the region: its mix, keyed by instruction text. */
  close(): InstructionMix {
    const mix: InstructionMix = {};
    for (const [pc, e] of this.perPc) {
      const t = (mix[this.facts.get(pc)!.key] ??= { n: 0, taken: 0, afterLoad: 0, addrDep: 0 });
      t.n += e.n; t.taken += e.taken; t.afterLoad += e.afterLoad; t.addrDep += e.addrDep;
    }
    this.perPc = new Map();
    return mix;
  }
}
