/**
 * @fileoverview Where rnnc's own files are (runtime-as/, targets/): found by walking up from this
 * module to the package root, so it works both from the TypeScript sources and from the bundled
 * dist/cli.js, whose location differs.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).name === 'rnnc') return (root = dir);
    const up = dirname(dir);
    if (up === dir) throw new Error('rnnc: cannot find the package root (package.json named rnnc)');
    dir = up;
  }
}
