/**
 * @fileoverview Small edits of a wasm binary at the section level: fix the memory limits and add
 * the planned data segment. (binaryen.js has no API to add a data segment to a module that
 * already has its memory, and the format makes both edits simple.)
 */

export interface Section {
  id: number;
  /** Byte range of the whole section (id, size, payload) and of its payload. */
  start: number;
  payload: number;
  end: number;
}

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
}

function sleb32(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) return [...out, b];
    out.push(b | 0x80);
  }
}

export function sections(wasm: Uint8Array): Section[] {
  const out: Section[] = [];
  let at = 8;
  while (at < wasm.length) {
    const start = at;
    const id = wasm[at++];
    let size = 0, shift = 0, b: number;
    do {
      b = wasm[at++];
      size += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b & 0x80);
    out.push({ id, start, payload: at, end: at + size });
    at += size;
  }
  return out;
}

function section(id: number, payload: number[] | Uint8Array): Uint8Array {
  const head = [id, ...uleb(payload.length)];
  const out = new Uint8Array(head.length + payload.length);
  out.set(head);
  out.set(payload, head.length);
  return out;
}

/** Replaces the memory section with one memory of exactly `pages` (min = max: no growth) and
 * adds one active data segment holding `data` at `offset`. Requires a module with no data yet. */
export function withMemoryAndData(wasm: Uint8Array, pages: number, offset: number, data: Uint8Array): Uint8Array {
  const secs = sections(wasm);
  if (secs.some((s) => s.id === 11 || s.id === 12)) throw new Error('module already has data segments');
  // Chunks, not one number array: spreading a large data segment into push() overflows the stack.
  const parts: Uint8Array[] = [wasm.subarray(0, 8)];
  let dataDone = false;
  const addData = () => {
    if (dataDone || data.length === 0) return;
    dataDone = true;
    const seg = [1, 0x00, 0x41, ...sleb32(offset), 0x0b, ...uleb(data.length)];
    const payload = new Uint8Array(seg.length + data.length);
    payload.set(seg);
    payload.set(data, seg.length);
    parts.push(section(11, payload));
  };
  for (const s of secs) {
    // Custom sections (id 0) after the code section come after the data section.
    if (s.id === 0 && secs.some((c) => c.id === 10 && c.end <= s.start)) addData();
    if (s.id === 5) parts.push(section(5, [1, 0x01, ...uleb(pages), ...uleb(pages)]));
    else parts.push(wasm.subarray(s.start, s.end));
    if (s.id === 10) {
      const nextIsCustom = secs[secs.indexOf(s) + 1]?.id === 0;
      if (!nextIsCustom) addData();
    }
  }
  addData();
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
