/**
 * @fileoverview The module's static memory, planned at compile time: constants (weights, biases,
 * rescale tables, activation tables, cell descriptors) become one data segment; buffers (state,
 * scratch, I/O) follow as zero-initialised space that costs no module bytes. Every address is
 * absolute and known here, so generated code and descriptors use plain constants.
 */
import { CELL_FIELDS, ACT_FIELDS, MAT_FIELDS } from '../fixed/cells/layout.ts';
import type { QAct, QMat } from '../fixed/cells/common.ts';

type Typed = Int8Array | Int16Array | Int32Array | Float32Array | Uint8Array;

export class MemoryImage {
  private constBytes: number[] = [];
  private placed = new Map<Typed, number>();
  private bufferEnd: number;
  private constEndFixed = false;
  /** Buffers, as [address, byteLength, label], for the manifest. */
  readonly buffers: { name: string; address: number; bytes: number }[] = [];

  /** `base`: first byte the image may use (address 0 stays unused so a pointer of 0 means "absent"). */
  constructor(readonly base: number) {
    this.bufferEnd = base;
  }

  get constEnd(): number {
    return this.base + this.constBytes.length;
  }

  /** Places a constant array (once per array object), aligned to its element size, returns its address. */
  constant(a: Typed): number {
    if (this.constEndFixed) throw new Error('constants must all be placed before buffers');
    const known = this.placed.get(a);
    if (known !== undefined) return known;
    this.align(Math.max(4, a.BYTES_PER_ELEMENT));
    const address = this.constEnd;
    const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    for (const b of bytes) this.constBytes.push(b);
    this.placed.set(a, address);
    return address;
  }

  i32s(values: number[]): number {
    return this.constant(Int32Array.from(values));
  }

  /** Reserves a zero-initialised buffer after all constants. Arrays bound to it resolve to its address. */
  buffer(name: string, bytes: number, bind?: Typed): number {
    if (!this.constEndFixed) {
      this.constEndFixed = true;
      this.align(16);
      this.bufferEnd = this.constEnd;
    }
    this.bufferEnd = (this.bufferEnd + 15) & ~15;
    const address = this.bufferEnd;
    this.bufferEnd += bytes;
    this.buffers.push({ name, address, bytes });
    if (bind) this.placed.set(bind, address);
    return address;
  }

  /** Address of an array already placed as a constant or bound to a buffer. */
  addressOf(a: Typed): number {
    const at = this.placed.get(a);
    if (at === undefined) throw new Error('array was never placed');
    return at;
  }

  get end(): number {
    return Math.max(this.bufferEnd, this.constEnd);
  }

  get data(): Uint8Array {
    return Uint8Array.from(this.constBytes);
  }

  private align(n: number): void {
    while ((this.base + this.constBytes.length) % n !== 0) this.constBytes.push(0);
  }
}

/** Serializes a cell descriptor (constants placed now; buffer arrays must already be bound). */
export function serializeCell(img: MemoryImage, kind: keyof typeof CELL_FIELDS, cell: Record<string, unknown>): number {
  const fields: number[] = [];
  const ptr = (a: unknown) => (a instanceof Object && 'BYTES_PER_ELEMENT' in (a as object) && (a as Typed).length > 0 ? addressOrPlace(img, a as Typed) : 0);
  for (const [name, k] of CELL_FIELDS[kind]) {
    const v = cell[name];
    if (k === 'int') fields.push(v as number);
    else if (k === 'flag') fields.push(v ? 1 : 0);
    else if (k === 'ptr') fields.push(ptr(v));
    else if (k === 'mat') {
      const m = v as QMat;
      for (const f of MAT_FIELDS) fields.push(f === 'w' || f === 'bias' || f === 'mult' || f === 'shift' ? ptr(m[f]) : m[f]);
    } else {
      const a = v as QAct;
      for (const f of ACT_FIELDS) fields.push(f === 'table' ? ptr(a.table) : a[f]);
    }
  }
  return img.i32s(fields);
}

function addressOrPlace(img: MemoryImage, a: Typed): number {
  try {
    return img.addressOf(a);
  } catch {
    return img.constant(a);
  }
}
