/**
 * @fileoverview The `rnnc` command line: dispatch, --help, and the error policy (bad input →
 * one line on stderr and exit code 2; a bug → "internal error", exit code 70; --debug adds stacks).
 */
import { RnncError } from '../../compiler/errors.ts';
import { analyzeCommand } from './analyze.ts';
import { benchCommand } from './bench.ts';
import { compileCommand } from './compile.ts';
import { type Command, parse } from './command.ts';
import { runCommand } from './run.ts';
import { targetsCommand } from './targets.ts';
import { validateCommand } from './validate.ts';

const COMMANDS: Command[] = [analyzeCommand, compileCommand, runCommand, validateCommand, targetsCommand, benchCommand];

const VERSION = '0.1.0';

function mainHelp(): string {
  return [
    'rnnc — compile trained recurrent networks (RNN, GRU, LSTM) for microcontrollers',
    '',
    'usage: rnnc <command> [options]',
    '',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`),
    '',
    'rnnc <command> --help shows the command\'s options. --version prints the version.',
  ].join('\n');
}

function commandHelp(c: Command): string {
  return `usage: ${c.usage}\n\n${c.summary}\n\n${c.help}`;
}

export async function main(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug');
  const [name, ...rest] = argv;
  try {
    if (!name || name === '--help' || name === '-h' || name === 'help') {
      console.log(mainHelp());
      return 0;
    }
    if (name === '--version') {
      console.log(VERSION);
      return 0;
    }
    const cmd = COMMANDS.find((c) => c.name === name);
    if (!cmd) throw new RnncError(`unknown command '${name}' (commands: ${COMMANDS.map((c) => c.name).join(', ')})`);
    const { values, positionals } = parse(cmd, rest);
    if (values.help) {
      console.log(commandHelp(cmd));
      return 0;
    }
    if (cmd.takesModel !== false && positionals.length === 0) throw new RnncError(`${cmd.name}: missing MODEL argument (usage: ${cmd.usage})`);
    return await cmd.run(positionals, values as Record<string, string | boolean | undefined>);
  } catch (e) {
    if (e instanceof RnncError) {
      process.stderr.write(`rnnc: error: ${e.message}\n`);
      if (debug) process.stderr.write(`${e.stack}\n`);
      return 2;
    }
    process.stderr.write(`rnnc: internal error: ${(e as Error).message} (please report; rerun with --debug for details)\n`);
    if (debug) process.stderr.write(`${(e as Error).stack}\n`);
    return 70;
  }
}
