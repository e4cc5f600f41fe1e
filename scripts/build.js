// Bundles the CLI into dist/cli.js with esbuild: one file loads much faster than hundreds of
// TypeScript modules. Dependencies stay external (they are installed alongside).
import { build } from 'esbuild';

await build({
  entryPoints: ['src/cli/entry.ts'],
  outfile: 'dist/cli.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
