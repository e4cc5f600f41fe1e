/**
 * @fileoverview What every CLI command provides, and option parsing on top of node:util's
 * parseArgs (unknown flags and missing values become one-line usage errors, exit code 2).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { fail } from '../../compiler/errors.ts';

export type Options = NonNullable<ParseArgsConfig['options']>;

export interface Command {
  name: string;
  summary: string;
  usage: string;
  /** Lines describing each option, printed by --help. */
  help: string;
  options: Options;
  /** False for commands that take no MODEL argument. */
  takesModel?: boolean;
  run(positionals: string[], values: Record<string, string | boolean | undefined>): number | Promise<number>;
}

export const COMMON: Options = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  debug: { type: 'boolean' },
};

export function parse(cmd: Command, argv: string[]) {
  try {
    return parseArgs({ args: argv, options: { ...COMMON, ...cmd.options }, allowPositionals: true, strict: true });
  } catch (e) {
    return fail(`${cmd.name}: ${(e as Error).message.split('\n')[0]} (see rnnc ${cmd.name} --help)`);
  }
}

export function numberOption(values: Record<string, unknown>, key: string, fallback: number): number {
  const v = values[key];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) fail(`--${key} ${v}: expected a non-negative number`);
  return n;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2)}\n`);
}
