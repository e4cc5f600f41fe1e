/** The ONNX conformance cases copied into tests/fixtures (see tests/fixtures/README.md). */
import { existsSync, readdirSync } from 'node:fs';
import { FIXTURES } from './cli.ts';

export function onnxConformanceCases(): { name: string; dir: string }[] {
  const root = `${FIXTURES}/conformance`;
  const cases: { name: string; dir: string }[] = [];
  for (const group of ['onnx-backend', 'onnxruntime-cntk', 'generated']) {
    for (const c of readdirSync(`${root}/${group}`).sort()) {
      if (existsSync(`${root}/${group}/${c}/model.onnx`)) cases.push({ name: `${group}/${c}`, dir: `${root}/${group}/${c}` });
    }
  }
  for (const m of readdirSync(`${root}/tfjs`).sort()) {
    const dir = `${root}/tfjs/${m}/onnx_equivalent`;
    if (existsSync(`${dir}/model.onnx`)) cases.push({ name: `tfjs/${m}/onnx_equivalent`, dir });
  }
  return cases;
}
