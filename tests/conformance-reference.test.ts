/**
 * Every ONNX conformance case (ONNX backend tests, onnxruntime's CNTK test, the generated
 * cases, the TF.js models' ONNX equivalents) must reproduce its third-party expected outputs
 * with |diff| <= 1e-5 + 1e-4·|expected|, through the library and through `rnnc validate`.
 */
import { describe, expect, it } from 'vitest';
import { loadOnnxFile } from '../compiler/importers/onnx/load.ts';
import { verifyGraph } from '../compiler/ir/verify.ts';
import { runReference } from '../compiler/reference/interpreter.ts';
import { findDataSets, readTestData } from '../src/io/test-data.ts';
import { onnxConformanceCases } from './helpers/cases.ts';
import { rnnc } from './helpers/cli.ts';

const cases = onnxConformanceCases();

describe('float reference on the ONNX conformance cases', () => {
  it('finds all 23 cases', () => expect(cases.length).toBe(23));

  for (const c of cases) {
    it(c.name, () => {
      const graph = loadOnnxFile(`${c.dir}/model.onnx`);
      expect(verifyGraph(graph)).toEqual([]);
      const sets = findDataSets(c.dir);
      expect(sets.length).toBeGreaterThan(0);
      for (const dir of sets) {
        const { inputs, outputs } = readTestData(dir, graph, true);
        const got = runReference(graph, new Map(graph.inputs.map((v, i) => [v.name, inputs[i]])));
        outputs.forEach((want, i) => {
          const t = got.get(graph.outputs[i].name)!;
          expect(t.shape).toEqual(want.shape);
          for (let k = 0; k < want.data.length; k++) {
            const diff = Math.abs(t.data[k] - want.data[k]);
            if (diff > 1e-5 + 1e-4 * Math.abs(want.data[k])) {
              throw new Error(`${graph.outputs[i].name}[${k}]: got ${t.data[k]}, expected ${want.data[k]}`);
            }
          }
        });
      }
    });
  }
});

describe('rnnc validate --engine reference on every conformance case', () => {
  for (const c of cases) {
    it(c.name, () => {
      const r = rnnc('validate', c.dir, '--data', `${c.dir}/test_data_set_0`, '--engine', 'reference', '--json');
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const report = JSON.parse(r.stdout);
      expect(report.ok).toBe(true);
      expect(report.engine).toBe('reference');
      expect(report.quant).toBe('f32');
      for (const o of report.outputs) {
        expect(Object.keys(o).sort()).toEqual(['max_abs_err', 'max_rel_err', 'name', 'pass', 'ref_max_abs', 'rmse']);
        expect(o.pass).toBe(true);
        expect(o.max_abs_err).toBeLessThanOrEqual(1e-5 + 1e-4 * o.ref_max_abs);
      }
    });
  }
});
