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

/** LSTM with an output projection: LSTM_F32's fields at the same offsets, then these. */
export namespace LSTMP_F32 {
  export const I: usize = 0;
  export const H: usize = 4;
  export const inputForget: usize = 8;
  export const gates: usize = 12; // fmat [4H, I+P]
  export const f: usize = 28;
  export const g: usize = 40;
  export const hAct: usize = 52;
  export const peep: usize = 64;
  export const clip: usize = 68;
  export const h: usize = 72; // f32[P] state
  export const cState: usize = 76; // f32[H] state
  export const v: usize = 80; // f32[I+P] scratch
  export const acc: usize = 84; // f32[4H] scratch
  export const P: usize = 88;
  export const proj: usize = 92; // fmat [P, H] over m (bias 0)
  export const m: usize = 108; // f32[H] scratch: o · hAct(C')
  export const bytes: usize = 112;
}

export namespace SRU_F32 {
  export const I: usize = 0;
  export const H: usize = 4;
  export const k: usize = 8; // 3 or 4 matrices
  export const tanh: usize = 12;
  export const highway: usize = 16;
  export const hwOff: usize = 20; // k = 3 highway: first input column of this direction's slice
  export const U: usize = 24; // fmat [k·H, I], rows x̃, f, r, (highway)
  export const peep: usize = 40; // f32[2H] (v_f, v_r)
  export const scaleX: usize = 44; // f32
  export const h: usize = 48; // f32[H] output
  export const cState: usize = 52; // f32[H] state
  export const v: usize = 56; // f32[I] scratch
  export const acc: usize = 60; // f32[k·H] scratch
  export const bytes: usize = 64;
}

export namespace QRNN_F32 {
  export const I: usize = 0;
  export const H: usize = 4;
  export const window: usize = 8; // 1 or 2
  export const fo: usize = 12;
  export const gates: usize = 16; // fmat [G·H, window·I] over [x_t; x_{t−1}], rows z, f, (o)
  export const h: usize = 32; // f32[H] output
  export const cState: usize = 36; // f32[H] state
  export const xPrev: usize = 40; // f32[I] state (window 2) or 0
  export const v: usize = 44; // f32[window·I] scratch
  export const acc: usize = 48; // f32[G·H] scratch
  export const bytes: usize = 52;
}

export namespace DENSE_F32 {
  export const I: usize = 0;
  export const N: usize = 4;
  export const mat: usize = 8; // fmat [N, I]
  export const act: usize = 24;
  export const y: usize = 36; // f32[N] output
  export const v: usize = 40; // f32[I] input
  export const norm: usize = 44; // 0 none, 1 softmax, 2 log-softmax
  export const argmax: usize = 48; // 1: y[0] = index of the first largest y
  export const bytes: usize = 52;
}

export namespace ATTENTION_F32 {
  export const H: usize = 0;
  export const A: usize = 4; // attention size (additive), 0 (dot)
  export const additive: usize = 8;
  export const W: usize = 12; // fmat additive [A, H] with bias; dot the query [1, H]
  export const V: usize = 28; // fmat additive [1, A]; dot empty
  export const scale: usize = 44; // f32: dot's scale, 1 for additive
  export const y: usize = 48; // f32[H] pooled
  export const u: usize = 52; // f32[max(A, 1)] scratch
  export const bytes: usize = 56;
}
