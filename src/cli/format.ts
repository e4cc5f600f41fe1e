/**
 * @fileoverview Plain-text tables for the terminal.
 */
export function table(header: string[], rows: (string | number)[][], rightAlign: boolean[] = []): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, c) => Math.max(...cells.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]) => r.map((v, c) => (rightAlign[c] ? v.padStart(widths[c]) : v.padEnd(widths[c]))).join('  ').trimEnd();
  return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

export function int(n: number): string {
  return n.toLocaleString('en-US');
}

export function sci(n: number): string {
  return Number.isFinite(n) ? n.toExponential(2) : String(n);
}
