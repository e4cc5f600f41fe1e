/**
 * @fileoverview Writing outputs without ever leaving a partial file: everything is written to
 * temporary names first and renamed into place only when all writes succeeded.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fail } from '../../compiler/errors.ts';

export function writeFilesAtomically(dir: string, files: { name: string; bytes: Uint8Array | string }[]): string[] {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    fail(`${dir}: cannot create output folder (${(e as NodeJS.ErrnoException).code})`);
  }
  const temps: string[] = [];
  try {
    for (const f of files) {
      const tmp = join(dir, `.${f.name}.${process.pid}.tmp`);
      temps.push(tmp);
      writeFileSync(tmp, f.bytes);
    }
  } catch (e) {
    for (const t of temps) rmSync(t, { force: true });
    fail(`${dir}: cannot write output (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return files.map((f, i) => {
    const final = join(dir, f.name);
    renameSync(temps[i], final);
    return final;
  });
}
