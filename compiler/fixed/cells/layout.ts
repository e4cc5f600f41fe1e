/**
 * @fileoverview Memory layout of the cell descriptors: the contract between the simulator's cell
 * objects, the code generator (which serializes them into the module's static data) and the
 * AssemblyScript cells (which read them). Every field is one little-endian i32: a number, a
 * 0/1 flag, or the byte address of an array (0 = absent). A QMat expands to MAT_FIELDS and a
 * QAct to ACT_FIELDS, in that order, where it appears.
 *
 * The f32 scheme's cells (*_F32, compiler/fixed/f32/cells.ts, runtime-as/f32/cells.ts) add
 * 'f32' fields (a float32 stored as its bit pattern), 'fmat' (an F32Mat as F32_MAT_FIELDS) and
 * 'fact' (an F32Act as F32_ACT_FIELDS, alpha and beta as float32 bits).
 */

export const MAT_FIELDS = ['w', 'bias', 'mult', 'shift', 'rows', 'cols', 'accShift'] as const;
export const ACT_FIELDS = ['kind', 'table', 'log2N', 'inFrac', 'outFrac'] as const;

export const F32_MAT_FIELDS = ['w', 'bias', 'rows', 'cols'] as const;
export const F32_ACT_FIELDS = ['kind', 'alpha', 'beta'] as const;

export type FieldKind = 'int' | 'flag' | 'ptr' | 'mat' | 'act' | 'f32' | 'fmat' | 'fact';

export const CELL_FIELDS = {
  RNN: [['I', 'int'], ['H', 'int'], ['gates', 'mat'], ['act', 'act'], ['clipQ', 'int'], ['h', 'ptr'], ['v', 'ptr'], ['acc', 'ptr']],
  GRU: [
    ['I', 'int'], ['H', 'int'], ['linearBeforeReset', 'flag'], ['gatesZR', 'mat'], ['cand', 'mat'], ['candH', 'mat'],
    ['f', 'act'], ['g', 'act'], ['clipGateQ', 'int'], ['clipCandQ', 'int'], ['h', 'ptr'], ['v', 'ptr'], ['acc', 'ptr'], ['zr', 'ptr'],
  ],
  LSTM: [
    ['I', 'int'], ['H', 'int'], ['inputForget', 'flag'], ['gates', 'mat'], ['f', 'act'], ['g', 'act'], ['hAct', 'act'],
    ['peep', 'ptr'], ['peepMult', 'ptr'], ['peepShift', 'ptr'], ['fc', 'int'], ['fh', 'int'], ['clipQ', 'int'], ['clipCandQ', 'int'],
    ['h', 'ptr'], ['cState', 'ptr'], ['v', 'ptr'], ['acc', 'ptr'],
  ],
  /** LSTM with an output projection (P > 0): LSTM's fields at the same offsets, then the projection. */
  LSTMP: [
    ['I', 'int'], ['H', 'int'], ['inputForget', 'flag'], ['gates', 'mat'], ['f', 'act'], ['g', 'act'], ['hAct', 'act'],
    ['peep', 'ptr'], ['peepMult', 'ptr'], ['peepShift', 'ptr'], ['fc', 'int'], ['fh', 'int'], ['clipQ', 'int'], ['clipCandQ', 'int'],
    ['h', 'ptr'], ['cState', 'ptr'], ['v', 'ptr'], ['acc', 'ptr'], ['P', 'int'], ['proj', 'mat'], ['fm', 'int'], ['m', 'ptr'],
  ],
  SRU: [
    ['I', 'int'], ['H', 'int'], ['k', 'int'], ['tanh', 'flag'], ['highway', 'flag'], ['hwOff', 'int'], ['U', 'mat'], ['f', 'act'], ['g', 'act'],
    ['peep', 'ptr'], ['peepMult', 'ptr'], ['peepShift', 'ptr'], ['hwMult', 'ptr'], ['hwShift', 'ptr'], ['fc', 'int'], ['fw', 'int'], ['fh', 'int'],
    ['h', 'ptr'], ['cState', 'ptr'], ['v', 'ptr'], ['acc', 'ptr'],
  ],
  QRNN: [
    ['I', 'int'], ['H', 'int'], ['window', 'int'], ['fo', 'flag'], ['gates', 'mat'], ['z', 'act'], ['f', 'act'], ['fc', 'int'], ['fh', 'int'],
    ['h', 'ptr'], ['cState', 'ptr'], ['xPrev', 'ptr'], ['v', 'ptr'], ['acc', 'ptr'],
  ],
  ATTENTION: [
    ['H', 'int'], ['A', 'int'], ['additive', 'flag'], ['W', 'mat'], ['act', 'act'], ['V', 'mat'], ['exp', 'act'], ['expShift', 'int'],
    ['colShift', 'ptr'], ['alphaShift', 'int'], ['y', 'ptr'], ['u', 'ptr'], ['th', 'ptr'],
  ],
  DENSE: [
    ['I', 'int'], ['N', 'int'], ['mat', 'mat'], ['act', 'act'], ['actKind', 'int'], ['y', 'ptr'], ['v', 'ptr'], ['acc', 'ptr'], ['expShift', 'int'], ['argmax', 'int'],
    ['log', 'act'],
  ],
  RNN_F32: [['I', 'int'], ['H', 'int'], ['gates', 'fmat'], ['act', 'fact'], ['clip', 'f32'], ['h', 'ptr'], ['v', 'ptr']],
  GRU_F32: [
    ['I', 'int'], ['H', 'int'], ['linearBeforeReset', 'flag'], ['gatesZR', 'fmat'], ['cand', 'fmat'], ['candH', 'fmat'],
    ['f', 'fact'], ['g', 'fact'], ['clip', 'f32'], ['h', 'ptr'], ['v', 'ptr'], ['acc', 'ptr'],
  ],
  LSTM_F32: [
    ['I', 'int'], ['H', 'int'], ['inputForget', 'flag'], ['gates', 'fmat'], ['f', 'fact'], ['g', 'fact'], ['hAct', 'fact'],
    ['peep', 'ptr'], ['clip', 'f32'], ['h', 'ptr'], ['cState', 'ptr'], ['v', 'ptr'], ['acc', 'ptr'],
  ],
  LSTMP_F32: [
    ['I', 'int'], ['H', 'int'], ['inputForget', 'flag'], ['gates', 'fmat'], ['f', 'fact'], ['g', 'fact'], ['hAct', 'fact'],
    ['peep', 'ptr'], ['clip', 'f32'], ['h', 'ptr'], ['cState', 'ptr'], ['v', 'ptr'], ['acc', 'ptr'], ['P', 'int'], ['proj', 'fmat'], ['m', 'ptr'],
  ],
  SRU_F32: [
    ['I', 'int'], ['H', 'int'], ['k', 'int'], ['tanh', 'flag'], ['highway', 'flag'], ['hwOff', 'int'], ['U', 'fmat'], ['peep', 'ptr'], ['scaleX', 'f32'],
    ['h', 'ptr'], ['cState', 'ptr'], ['v', 'ptr'], ['acc', 'ptr'],
  ],
  QRNN_F32: [
    ['I', 'int'], ['H', 'int'], ['window', 'int'], ['fo', 'flag'], ['gates', 'fmat'], ['h', 'ptr'], ['cState', 'ptr'], ['xPrev', 'ptr'], ['v', 'ptr'], ['acc', 'ptr'],
  ],
  DENSE_F32: [['I', 'int'], ['N', 'int'], ['mat', 'fmat'], ['act', 'fact'], ['y', 'ptr'], ['v', 'ptr'], ['norm', 'int'], ['argmax', 'flag']],
  ATTENTION_F32: [['H', 'int'], ['A', 'int'], ['additive', 'flag'], ['W', 'fmat'], ['V', 'fmat'], ['scale', 'f32'], ['y', 'ptr'], ['u', 'ptr']],
} as const satisfies Record<string, readonly (readonly [string, FieldKind])[]>;

/** The sub-fields a compound field kind expands to. */
export const SUB_FIELDS: Partial<Record<FieldKind, readonly string[]>> = {
  mat: MAT_FIELDS, act: ACT_FIELDS, fmat: F32_MAT_FIELDS, fact: F32_ACT_FIELDS,
};

/** Byte offset of every (flattened) field: 'gates.w' → 12, 'act.inFrac' → ... */
export function fieldOffsets(cell: keyof typeof CELL_FIELDS): Map<string, number> {
  const out = new Map<string, number>();
  let at = 0;
  for (const [name, kind] of CELL_FIELDS[cell]) {
    const sub = SUB_FIELDS[kind];
    if (sub) for (const s of sub) (out.set(`${name}.${s}`, at), (at += 4));
    else (out.set(name, at), (at += 4));
  }
  return out;
}

export function descriptorBytes(cell: keyof typeof CELL_FIELDS): number {
  return fieldOffsets(cell).size * 4;
}
