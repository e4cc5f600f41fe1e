// Fixed-point Elman RNN step (AssemblyScript reference kernel).
// Mirror: compiler/fixed/cells/rnn.ts — same results bit for bit.
//   v = [x; h]                             (the caller has put x in v[0:I])
//   pre = clip(sat16(rescale(W·v + b)))    Q(act.inFrac)
//   h' = satVec(act(pre))                  the activation's output format is the state format Q(fh)
// desc: byte address of an RNN descriptor (./desc.ts). V: state/vector element, W: weight element.
import { activate, copyElems, loadAt, matRows, preActivation, satVec, storeAt } from './common';
import { RNN } from './desc';

export function rnnStep<V, W>(desc: usize): void {
  const I = load<i32>(desc + RNN.I);
  const H = load<i32>(desc + RNN.H);
  const h = load<usize>(desc + RNN.h); // V[H]
  const v = load<usize>(desc + RNN.v); // V[I+H]
  const acc = load<usize>(desc + RNN.acc); // i32[H]
  const act = desc + RNN.act;
  const clipQ = load<i32>(desc + RNN.clipQ);

  copyElems<V>(v, I, h, H); // v[I:] = h
  matRows<V, W>(acc, desc + RNN.gates, v, 0, 0, H);
  for (let j = 0; j < H; j++) {
    storeAt<V>(h, j, satVec<V>(activate(preActivation(loadAt<i32>(acc, j), clipQ), act)));
  }
}
