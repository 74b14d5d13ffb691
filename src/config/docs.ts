// The configuration guide's tables, printed from the variable table: one table per group, each
// between `<!-- config-table:GROUP -->` and `<!-- /config-table:GROUP -->` (prose stays outside).
import type { Variable } from './parsers';
import { VARIABLE_GROUPS } from './variables';

export type VariableGroup = keyof typeof VARIABLE_GROUPS;

/** The page the tables live in, relative to the repository root. */
export const CONFIGURATION_GUIDE = 'docs/configuration.md';

const cell = (text: string) => text.replace(/\|/g, '\\|');

function defaultCell(name: string, variable: Variable<unknown>): string {
  if (variable.defaultDoc !== undefined) return variable.defaultDoc;
  const value = variable.default;
  if (typeof value === 'function') throw new Error(`${name}: a computed default needs a defaultDoc`);
  if (value === undefined || (Array.isArray(value) && value.length === 0)) return '';
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  return `\`${typeof value === 'string' || typeof value === 'number' ? String(value) : JSON.stringify(value)}\``;
}

export function configTable(group: VariableGroup): string {
  const rows = Object.entries(VARIABLE_GROUPS[group] as Record<string, Variable<unknown>>).map(
    ([name, variable]) => `| \`${name}\` | ${cell(defaultCell(name, variable))} | ${cell(variable.accepts)} | ${cell(variable.doc)} |`,
  );
  return ['| variable | default | values | meaning |', '|---|---|---|---|', ...rows].join('\n');
}

/** `guide` with every group's table printed afresh; throws when a group has no markers. */
export function withConfigTables(guide: string): string {
  let result = guide;
  for (const group of Object.keys(VARIABLE_GROUPS) as VariableGroup[]) {
    const start = `<!-- config-table:${group} -->`;
    const end = `<!-- /config-table:${group} -->`;
    const from = result.indexOf(start);
    const to = result.indexOf(end, from);
    if (from < 0 || to < 0) throw new Error(`${CONFIGURATION_GUIDE} has no ${start} … ${end} section`);
    result = `${result.slice(0, from + start.length)}\n${configTable(group)}\n${result.slice(to)}`;
  }
  return result;
}
