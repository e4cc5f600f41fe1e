/**
 * @fileoverview `rnnc targets`: the device and runtime profiles rnnc knows, with sources.
 */
import { deviceProfiles, runtimeProfiles, timingProfiles } from '../targets.ts';
import { type Command, printJson } from './command.ts';
import { table } from './format.ts';

export const targetsCommand: Command = {
  name: 'targets',
  summary: 'list device and WebAssembly runtime profiles',
  usage: 'rnnc targets [--json]',
  help: [
    '--json   print the profiles (devices, runtimes, per-core instruction timing tables) with every number\'s source and confidence mark',
    '',
    'Use them as --target DEVICE, --target RUNTIME or --target DEVICE/RUNTIME. Confidence marks:',
    '✔ read in the cited source, ≈ derived from cited numbers, ? not verified (an assumption).',
  ].join('\n'),
  options: {},
  takesModel: false,
  run(_args, values) {
    const devices = deviceProfiles();
    const runtimes = runtimeProfiles();
    if (values.json) {
      printJson({ devices, runtimes, timing: timingProfiles() });
      return 0;
    }
    console.log(table(['device', 'core', 'FPU', 'MHz', 'SRAM KB', 'flash KB', 'active mW', 'summary'],
      devices.map((d) => [d.name, d.core, d.fpu ? 'yes' : 'no', d.clock_mhz, d.sram_kb, d.flash_kb, d.active_mw, d.summary]), [false, false, false, true, true, true, true, false]));
    console.log();
    console.log(table(['runtime', 'post-MVP features accepted', 'summary'],
      runtimes.map((r) => [r.name, Object.keys(r.features).filter((k) => r.features[k as keyof typeof r.features]).join(', ') || '(none)', r.summary])));
    return 0;
  },
};
