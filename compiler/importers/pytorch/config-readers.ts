/**
 * @fileoverview Typed readers of a config.json module's constructor arguments (shared by the
 * torch.nn and sru.SRU parsers): a wrong type or value fails naming the module and argument.
 */
import { fail } from '../../errors.ts';

/** Typed readers of constructor arguments, failing with the module named. */
export function configReaders(c: Record<string, unknown>, where: string) {
  const int = (key: string, dflt?: number, min = 1): number => {
    const v = c[key] ?? dflt;
    if (v === undefined) return fail(`${where}: "${key}" is missing`);
    if (!Number.isInteger(v) || (v as number) < min) fail(`${where}: "${key}" must be an integer >= ${min}, not ${JSON.stringify(v)}`);
    return v as number;
  };
  const bool = (key: string, dflt: boolean): boolean => {
    const v = c[key] ?? dflt;
    if (typeof v !== 'boolean') fail(`${where}: "${key}" must be true or false, not ${JSON.stringify(v)}`);
    return v;
  };
  return { int, bool };
}
