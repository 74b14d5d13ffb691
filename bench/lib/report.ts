import type { ResultRow } from '../scenarios/types';

export interface ReportedScenario {
  id: string;
  title: string;
  seconds: number;
  rows: ResultRow[];
  error?: string;
}

const HEADERS = ['Scenario', 'Measure', 'Ours', 'Baseline', 'Ratio', 'Target', ''];

function cells(scenario: ReportedScenario): string[][] {
  if (scenario.error) return [[scenario.title, 'FAILED', scenario.error.split('\n')[0], '', '', '', '✗']];
  return scenario.rows.map((row, i) => [
    i === 0 ? scenario.title : '',
    row.measure,
    row.ours,
    row.baseline ?? '',
    row.ratio === undefined ? '' : `${row.ratio.toFixed(2)}×`,
    row.target ?? '',
    row.pass === undefined ? '' : row.pass ? '✓' : '✗',
  ]);
}

/** A fixed-width table for the terminal. */
export function textTable(scenarios: ReportedScenario[]): string {
  const rows = scenarios.flatMap(cells);
  const widths = HEADERS.map((h, c) => Math.max(h.length, ...rows.map((r) => [...r[c]].length)));
  const line = (r: string[]) => r.map((cell, c) => cell + ' '.repeat(widths[c] - [...cell].length)).join(' │ ');
  const rule = widths.map((w) => '─'.repeat(w)).join('─┼─');
  return [line(HEADERS), rule, ...rows.map(line)].join('\n');
}

/** The same table as GitHub Markdown, for BENCHMARKS.md. */
export function markdownTable(scenarios: ReportedScenario[]): string {
  const escape = (cell: string) => cell.replace(/\|/g, '\\|');
  const rows = scenarios.flatMap(cells);
  return [`| ${HEADERS.join(' | ')} |`, `|${HEADERS.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(escape).join(' | ')} |`)].join('\n');
}

/** 12,345 */
export const int = (value: number) => Math.round(value).toLocaleString('en-US');
/** 1.23 ms / 12.3 ms / 123 ms */
export const ms = (value: number) => `${value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : Math.round(value)} ms`;
/** 12.3 KB */
export const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
