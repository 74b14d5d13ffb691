import { graphError, type GraphResult } from './responses';
import { describeError } from '../../describe-error';

/** Graph API `fields` syntax: `id,name,instagram_business_account{id,username}`. */
export interface FieldSelection {
  name: string;
  sub?: FieldSelection[];
}

function parseFields(text: string | undefined): FieldSelection[] | undefined {
  if (!text) return undefined;
  const [fields, rest] = parseList(text, 0);
  if (rest !== text.length) throw new SyntaxError(`unbalanced braces in fields "${text}"`);
  return fields;
}

function parseList(text: string, start: number): [FieldSelection[], number] {
  const fields: FieldSelection[] = [];
  let i = start;
  let name = '';
  const flush = (sub?: FieldSelection[]) => {
    const trimmed = name.trim();
    if (trimmed) fields.push(sub ? { name: trimmed, sub } : { name: trimmed });
    name = '';
  };
  while (i < text.length) {
    const ch = text[i];
    if (ch === '{') {
      const [sub, end] = parseList(text, i + 1);
      if (text[end] !== '}') throw new SyntaxError(`unbalanced braces in fields "${text}"`);
      flush(sub);
      i = end + 1;
      if (text[i] === ',') i++;
      continue;
    }
    if (ch === '}') break;
    if (ch === ',') flush();
    else name += ch;
    i++;
  }
  flush();
  return [fields, i];
}

/**
 * Picks the requested fields from an object's readable values. Unknown fields are an error, as
 * on Graph; absent optional values are left out, as Graph does.
 */
export function project(
  values: Record<string, unknown>,
  fields: FieldSelection[],
  nodeType: string,
  expand: Record<string, (sub: FieldSelection[] | undefined) => unknown> = {},
): { ok: Record<string, unknown> } | { unknownField: string; nodeType: string } {
  // Graph always answers a node's id, asked for or not.
  const out: Record<string, unknown> = 'id' in values ? { id: values.id } : {};
  for (const field of fields) {
    if (field.name in expand) {
      const value = expand[field.name](field.sub);
      if (value !== undefined) out[field.name] = value;
    } else if (field.name in values) {
      const value = values[field.name];
      if (value !== undefined && value !== '') out[field.name] = value;
    } else {
      return { unknownField: field.name, nodeType };
    }
  }
  return { ok: out };
}

/** The `fields` parameter, or the error Graph answers for a malformed one. */
export function parseFieldsParam(text: string | undefined): { fields: FieldSelection[] | undefined } | { error: GraphResult } {
  try {
    return { fields: parseFields(text) };
  } catch (error) {
    return { error: graphError(400, 100, `(#100) ${describeError(error)}`) };
  }
}
