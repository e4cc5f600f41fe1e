/**
 * @fileoverview The module's static memory, planned at compile time: buffers (state, scratch,
 * I/O) come first as zero-initialised space that costs no module bytes; constants (weights,
 * biases, rescale and activation tables, cell descriptors) follow as one data segment. Every
 * address is absolute and known here, so generated code and descriptors use plain constants.
 */
import { CELL_FIELDS, ACT_FIELDS, MAT_FIELDS, F32_ACT_FIELDS, F32_MAT_FIELDS } from '../fixed/cells/layout.ts';
import type { QAct, QMat } from '../fixed/cells/common.ts';
import type { F32Mat } from '../fixed/f32/cells.ts';
import type { F32Act } from '../fixed/f32/math.ts';

type Typed = Int8Array | Int16Array | Int32Array | Float32Array | Uint8Array;

export class MemoryImage {
  private constBytes: number[] = [];
  private placed = new Map<Typed, number>();
  private bufferEnd: number;
  private constBase = -1;
  /** Buffers, as name, address and size, for the manifest. */
  readonly buffers: { name: string; address: number; bytes: number }[] = [];

  /**
   * `base`: first usable byte (address 0 stays unused so a pointer of 0 means "absent").
   * Buffers are reserved first, from `base` up (zero-initialised: they cost no module bytes);
   * the first constant starts the constant region after them (the module's data segment).
   */
  constructor(readonly base: number) {
    this.bufferEnd = base;
  }

  /** Reserves a zero-initialised buffer; arrays bound to it resolve to its address. */
  buffer(name: string, bytes: number, bind?: Typed): number {
    if (this.constBase >= 0) throw new Error('buffers must all be reserved before constants');
    this.bufferEnd = align(this.bufferEnd, 16);
    const address = this.bufferEnd;
    this.bufferEnd += bytes;
    this.buffers.push({ name, address, bytes });
    if (bind) this.placed.set(bind, address);
    return address;
  }

  /** Places a constant array (once per array object), aligned to 4 bytes at least; returns its address. */
  constant(a: Typed): number {
    const known = this.placed.get(a);
    if (known !== undefined) return known;
    if (this.constBase < 0) this.constBase = align(this.bufferEnd, 16);
    while ((this.constBase + this.constBytes.length) % Math.max(4, a.BYTES_PER_ELEMENT) !== 0) this.constBytes.push(0);
    const address = this.constBase + this.constBytes.length;
    for (const b of new Uint8Array(a.buffer, a.byteOffset, a.byteLength)) this.constBytes.push(b);
    this.placed.set(a, address);
    return address;
  }

  i32s(values: number[]): number {
    return this.constant(Int32Array.from(values));
  }

  /** Address of an array already placed as a constant or bound to a buffer. */
  addressOf(a: Typed): number {
    const at = this.placed.get(a);
    if (at === undefined) throw new Error('array was never placed');
    return at;
  }

  has(a: Typed): boolean {
    return this.placed.has(a);
  }

  /** Start of the constant region (= end of the buffers). */
  get constStart(): number {
    return this.constBase >= 0 ? this.constBase : align(this.bufferEnd, 16);
  }

  /** First byte after everything placed. */
  get end(): number {
    return this.constStart + this.constBytes.length;
  }

  /** The constant region's bytes: the data segment to place at `constStart`. */
  get data(): Uint8Array {
    return Uint8Array.from(this.constBytes);
  }
}

const f32Word = new Float32Array(1), f32Bits = new Int32Array(f32Word.buffer);
/** The bit pattern of float32 x, as the i32 a descriptor field holds. */
export function f32AsI32(x: number): number {
  f32Word[0] = x;
  return f32Bits[0];
}

function align(x: number, n: number): number {
  return Math.ceil(x / n) * n;
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
    else if (k === 'f32') fields.push(f32AsI32(v as number));
    else if (k === 'fmat') {
      const m = v as F32Mat;
      for (const f of F32_MAT_FIELDS) fields.push(f === 'w' || f === 'bias' ? ptr(m[f]) : m[f]);
    } else if (k === 'fact') {
      const a = v as F32Act;
      for (const f of F32_ACT_FIELDS) fields.push(f === 'kind' ? a.kind : f32AsI32(a[f]));
    } else if (k === 'mat') {
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
  return img.has(a) ? img.addressOf(a) : img.constant(a);
}
