// Byte offsets of the cell descriptor fields (AssemblyScript).
// MUST match compiler/fixed/cells/layout.ts (CELL_FIELDS, MAT_FIELDS, ACT_FIELDS, fieldOffsets):
// every field is one little-endian i32; a `mat` field expands to MAT's 7 fields and an `act`
// field to ACT's 5, in place. Names are the layout's field names verbatim so that
// tests/fixed-cells.test.ts can check every constant against fieldOffsets().
// Pointer fields hold byte addresses; 0 means "absent" (e.g. LSTM.peep without peepholes).

/** Inside a `mat` field: [rows, cols] weights, i32[rows] bias/mult/shift, then 3 ints. */
export namespace MAT {
  export const w: usize = 0;
  export const bias: usize = 4;
  export const mult: usize = 8;
  export const shift: usize = 12;
  export const rows: usize = 16;
  export const cols: usize = 20;
  export const accShift: usize = 24;
  export const bytes: usize = 28;
}

/** Inside an `act` field: kind (0 table, 1 sigmoid PWL, 2 tanh PWL), i16[2^log2N + 1] table. */
export namespace ACT {
  export const kind: usize = 0;
  export const table: usize = 4;
  export const log2N: usize = 8;
  export const inFrac: usize = 12;
  export const outFrac: usize = 16;
  export const bytes: usize = 20;
}

export namespace RNN {
  export const I: usize = 0;
  export const H: usize = 4;
  export const gates: usize = 8; // mat [H, I+H]
  export const act: usize = 36;
  export const clipQ: usize = 56;
  export const h: usize = 60; // V[H] state
  export const v: usize = 64; // V[I+H] scratch
  export const acc: usize = 68; // i32[H] scratch
  export const bytes: usize = 72;
}

export namespace GRU {
  export const I: usize = 0;
  export const H: usize = 4;
  export const linearBeforeReset: usize = 8;
  export const gatesZR: usize = 12; // mat [2H, I+H]
  export const cand: usize = 40; // mat lbr=0: [H, I+H]; lbr=1: [H, I]
  export const candH: usize = 68; // mat lbr=1: [H, H]
  export const f: usize = 96;
  export const g: usize = 116;
  export const clipGateQ: usize = 136;
  export const clipCandQ: usize = 140;
  export const h: usize = 144; // V[H] state
  export const v: usize = 148; // V[I+H] scratch
  export const acc: usize = 152; // i32[3H] scratch
  export const zr: usize = 156; // i16[2H] scratch
  export const bytes: usize = 160;
}

export namespace LSTM {
  export const I: usize = 0;
  export const H: usize = 4;
  export const inputForget: usize = 8;
  export const gates: usize = 12; // mat [4H, I+H], rows i, o, f, c
  export const f: usize = 40;
  export const g: usize = 60;
  export const hAct: usize = 80;
  export const peep: usize = 100; // i16[3H] (i, o, f) or 0
  export const peepMult: usize = 104; // i32[3]
  export const peepShift: usize = 108; // i32[3]
  export const fc: usize = 112;
  export const fh: usize = 116;
  export const clipQ: usize = 120;
  export const clipCandQ: usize = 124;
  export const h: usize = 128; // V[H] state
  export const cState: usize = 132; // i16[H] state
  export const v: usize = 136; // V[I+H] scratch
  export const acc: usize = 140; // i32[4H] scratch
  export const bytes: usize = 144;
}

/** LSTM with an output projection (PyTorch proj_size): LSTM's fields at LSTM's offsets, then these. */
export namespace LSTMP {
  export const I: usize = 0;
  export const H: usize = 4;
  export const inputForget: usize = 8;
  export const gates: usize = 12; // mat [4H, I+P], rows i, o, f, c
  export const f: usize = 40;
  export const g: usize = 60;
  export const hAct: usize = 80;
  export const peep: usize = 100;
  export const peepMult: usize = 104;
  export const peepShift: usize = 108;
  export const fc: usize = 112;
  export const fh: usize = 116;
  export const clipQ: usize = 120;
  export const clipCandQ: usize = 124;
  export const h: usize = 128; // V[P] state
  export const cState: usize = 132; // i16[H] state
  export const v: usize = 136; // V[I+P] scratch
  export const acc: usize = 140; // i32[max(4H, P)] scratch
  export const P: usize = 144; // projection size
  export const proj: usize = 148; // mat [P, H] over m, rows into Q(fh)
  export const fm: usize = 176;
  export const m: usize = 180; // V[H] scratch: o ⊙ hAct(C') in Q(fm)
  export const bytes: usize = 184;
}

export namespace SRU {
  export const I: usize = 0;
  export const H: usize = 4;
  export const k: usize = 8; // 3 or 4 matrices
  export const tanh: usize = 12; // g: tanh (1) or identity (0)
  export const highway: usize = 16;
  export const hwOff: usize = 20; // k = 3 highway: first input column of this direction's slice
  export const U: usize = 24; // mat [k·H, I], rows x̃, f, r, (highway)
  export const f: usize = 52;
  export const g: usize = 72;
  export const peep: usize = 92; // i16[2H] (v_f, v_r)
  export const peepMult: usize = 96; // i32[2]
  export const peepShift: usize = 100; // i32[2]
  export const hwMult: usize = 104; // i32[H] or 0
  export const hwShift: usize = 108; // i32[H] or 0
  export const fc: usize = 112;
  export const fw: usize = 116;
  export const fh: usize = 120;
  export const h: usize = 124; // V[H] output
  export const cState: usize = 128; // i16[H] state
  export const v: usize = 132; // V[I] scratch
  export const acc: usize = 136; // i32[k·H] scratch
  export const bytes: usize = 140;
}

export namespace QRNN {
  export const I: usize = 0;
  export const H: usize = 4;
  export const window: usize = 8; // 1 or 2
  export const fo: usize = 12; // fo-pooling (1) or f-pooling (0)
  export const gates: usize = 16; // mat [G·H, window·I] over [x_t; x_{t−1}], rows z, f, (o)
  export const z: usize = 44;
  export const f: usize = 64;
  export const fc: usize = 84;
  export const fh: usize = 88;
  export const h: usize = 92; // V[H] output
  export const cState: usize = 96; // i16[H] state
  export const xPrev: usize = 100; // V[I] state (window 2) or 0
  export const v: usize = 104; // V[window·I] scratch
  export const acc: usize = 108; // i32[G·H] scratch
  export const bytes: usize = 112;
}
