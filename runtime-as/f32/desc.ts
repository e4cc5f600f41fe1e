// Byte offsets of the f32 scheme's descriptor fields (AssemblyScript).
// MUST match compiler/fixed/cells/layout.ts (CELL_FIELDS *_F32, F32_MAT_FIELDS, F32_ACT_FIELDS):
// every field is 4 little-endian bytes — an i32, a 0/1 flag, a byte address (0 = absent) or an
// f32 bit pattern; an `fmat` field expands to FMAT's 4 fields and an `fact` field to FACT's 3.
// tests/f32-scheme.test.ts checks every constant against fieldOffsets().

/** Inside an `fmat` field: f32[rows, cols] weights, f32[rows] bias, then rows and cols. */
export namespace FMAT {
  export const w: usize = 0;
  export const bias: usize = 4;
  export const rows: usize = 8;
  export const cols: usize = 12;
  export const bytes: usize = 16;
}

/** Inside an `fact` field: the activation code (math.ts) and its f32 alpha and beta. */
export namespace FACT {
  export const kind: usize = 0;
  export const alpha: usize = 4;
  export const beta: usize = 8;
  export const bytes: usize = 12;
}

export namespace RNN_F32 {
  export const I: usize = 0;
  export const H: usize = 4;
  export const gates: usize = 8; // fmat [H, I+H]
  export const act: usize = 24;
  export const clip: usize = 36; // f32, +Inf = none
  export const h: usize = 40; // f32[H] state
  export const v: usize = 44; // f32[I+H] scratch
  export const bytes: usize = 48;
}

export namespace GRU_F32 {
  export const I: usize = 0;
  export const H: usize = 4;
  export const linearBeforeReset: usize = 8;
  export const gatesZR: usize = 12; // fmat [2H, I+H]
  export const cand: usize = 28; // fmat lbr=0: [H, I+H]; lbr=1: [H, I]
  export const candH: usize = 44; // fmat lbr=1: [H, H]
  export const f: usize = 60;
  export const g: usize = 72;
  export const clip: usize = 84;
  export const h: usize = 88; // f32[H] state
  export const v: usize = 92; // f32[I+H] scratch
  export const acc: usize = 96; // f32[3H] (lbr=0) or f32[4H] (lbr=1) scratch
  export const bytes: usize = 100;
}

export namespace LSTM_F32 {
  export const I: usize = 0;
  export const H: usize = 4;
  export const inputForget: usize = 8;
  export const gates: usize = 12; // fmat [4H, I+H], rows i, o, f, c
  export const f: usize = 28;
  export const g: usize = 40;
  export const hAct: usize = 52;
  export const peep: usize = 64; // f32[3H] (i, o, f) or 0
  export const clip: usize = 68;
  export const h: usize = 72; // f32[H] state
  export const cState: usize = 76; // f32[H] state
  export const v: usize = 80; // f32[I+H] scratch
  export const acc: usize = 84; // f32[4H] scratch
  export const bytes: usize = 88;
}

export namespace DENSE_F32 {
  export const I: usize = 0;
  export const N: usize = 4;
  export const mat: usize = 8; // fmat [N, I]
  export const act: usize = 24;
  export const y: usize = 36; // f32[N] output
  export const v: usize = 40; // f32[I] input
  export const bytes: usize = 44;
}
