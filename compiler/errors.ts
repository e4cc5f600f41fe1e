/**
 * @fileoverview User-facing errors. An RnncError is bad input (a file, node, tensor or flag that
 * is wrong): the CLI prints its one-line message and exits with code 2, without a stack trace.
 * Anything else that escapes is a bug in rnnc.
 */
export class RnncError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RnncError';
  }
}

export function fail(message: string): never {
  throw new RnncError(message);
}

/** Limits checked before allocating, so absurd files are refused rather than exhausting memory. */
export const LIMITS = {
  /** Largest element count of any one tensor (2^28 floats = 1 GiB). */
  maxTensorElements: 1 << 28,
  /** Largest hidden_size of a recurrent layer. */
  maxHiddenSize: 1 << 16,
  /** Largest rank of any tensor. */
  maxRank: 8,
  /** Largest number of graph nodes. */
  maxNodes: 100_000,
} as const;
