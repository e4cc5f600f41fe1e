/**
 * @fileoverview ONNX AttributeProto → IR attribute values, typed by the IR op spec.
 */
import { fail } from '../../errors.ts';
import type { AttrType } from '../../ir/op-spec.ts';
import type { AttrValue } from '../../ir/types.ts';
import { num, type OnnxNs } from './proto.ts';
import { tensorFromProto } from './tensor.ts';

const A = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;
const PROTO_OF: Record<AttrType, number> = {
  float: A.FLOAT, int: A.INT, string: A.STRING, tensor: A.TENSOR, floats: A.FLOATS, ints: A.INTS, strings: A.STRINGS,
};

const utf8 = new TextDecoder();

/** Converts one attribute to the type the IR expects; `where` names the node for errors. */
export function convertAttribute(a: OnnxNs.IAttributeProto, want: AttrType, where: string): AttrValue {
  const name = a.name ?? '?';
  // Old exporters omit `type`; infer it from which field is set.
  let type = a.type ?? 0;
  if (!type) {
    if (a.floats?.length) type = A.FLOATS;
    else if (a.ints?.length) type = A.INTS;
    else if (a.strings?.length) type = A.STRINGS;
    else if (a.t) type = A.TENSOR;
    else if (a.s?.length) type = A.STRING;
    else if (a.f !== undefined && a.f !== 0) type = A.FLOAT;
    else type = PROTO_OF[want];
  }
  // An int given where a float is expected (and vice versa for integral floats) is accepted.
  if (want === 'float' && (type === A.FLOAT || type === A.INT)) return type === A.FLOAT ? a.f ?? 0 : num(a.i);
  if (want === 'int' && type === A.INT) return num(a.i);
  if (want === 'string' && type === A.STRING) return utf8.decode(a.s ?? new Uint8Array());
  if (want === 'floats' && (type === A.FLOATS || type === A.INTS)) return type === A.FLOATS ? [...(a.floats ?? [])] : (a.ints ?? []).map(num);
  if (want === 'ints' && type === A.INTS) return (a.ints ?? []).map(num);
  if (want === 'strings' && type === A.STRINGS) return (a.strings ?? []).map((s) => utf8.decode(s));
  if (want === 'tensor' && type === A.TENSOR && a.t) return tensorFromProto(a.t, `${where}: attribute '${name}'`);
  return fail(`${where}: attribute '${name}' has ONNX type ${type}, expected ${want}`);
}
