import { defineConfig } from 'vitest/config';

// `npm run test:mcu`: the emulated-microcontroller validation (wasm2c + arm-none-eabi-gcc + QEMU).
// RNNC_MCU tells the tests they were started through this config; under the plain `npm test`
// config they only report themselves skipped.
export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['tests/mcu/**/*.test.ts'],
    env: { RNNC_MCU: '1' },
    testTimeout: 600_000,
    hookTimeout: 600_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
