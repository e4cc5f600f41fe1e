// Runs a TypeScript script of this repo with the local tsx (a dev dependency), passing arguments on.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const [script, ...args] = process.argv.slice(2);
const tsx = fileURLToPath(new URL('../node_modules/tsx/dist/cli.mjs', import.meta.url));
const r = spawnSync(process.execPath, [tsx, fileURLToPath(new URL(script, import.meta.url)), ...args], { stdio: 'inherit' });
process.exit(r.status ?? 1);
