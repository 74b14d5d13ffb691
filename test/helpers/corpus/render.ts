import type { ArgumentValue, Case, Directive, Operation, Placeholders, Selection } from './types';

const PLACEHOLDER = /@(own|other|missing|cursor|redirect)\b/g;

export interface RenderedCase {
  query: string;
  operationName?: string;
  /** One variables object per round. */
  variables: Array<Record<string, unknown>>;
}

/** `text` with every placeholder replaced by its value. */
export function fillPlaceholders(text: string, values: Placeholders): string {
  return text.replace(PLACEHOLDER, (_m, key: keyof Placeholders) => values[key]);
}

export function renderCase(c: Case, values: Placeholders): RenderedCase {
  const fill = (text: string) => fillPlaceholders(text, values);
  const fillJson = (value: unknown): unknown => (typeof value === 'string' ? fill(value) : Array.isArray(value) ? value.map(fillJson) : value);

  const definitions: string[] = [];
  const variables: Array<Record<string, unknown>> = Array.from({ length: c.rounds }, () => ({}));
  const fragments: string[] = [];
  /** Response name → the field and arguments it stands for; a different one under a used name gets a fresh alias. */
  const responseNames = new Map<string, string>();
  const responseName = (wanted: string, signature: string): string => {
    let name = wanted;
    for (let k = 2; responseNames.has(name) && responseNames.get(name) !== signature; k++) name = `${wanted}_${k}`;
    responseNames.set(name, signature);
    return name;
  };

  const argumentText = (value: ArgumentValue): string => {
    if ('literal' in value) return fill(value.literal);
    const name = `v${definitions.length + 1}`;
    const [type, defaultValue] = value.variable.split(' = ');
    definitions.push(`$${name}: ${type}${defaultValue === undefined ? '' : ` = ${fill(defaultValue)}`}`);
    for (let round = 0; round < c.rounds; round++) {
      const sent = value.rounds[round];
      if ('json' in sent) variables[round][name] = fillJson(sent.json);
    }
    return `$${name}`;
  };
  const directiveText = (ds: Directive[]) => ds.map((d) => ` @${d.name}(if: ${argumentText(d.condition)})`).join('');
  const selectionText = (selection: Selection[]): string => `{ ${selection.map(selectionItem).join(' ')} }`;
  const selectionItem = (s: Selection): string => {
    if ('fragmentOn' in s) {
      if (s.inline) return `... on ${s.fragmentOn}${directiveText(s.directives)} ${selectionText(s.selection)}`;
      const name = `F${fragments.length + 1}`;
      fragments.push(''); // reserve the name before rendering the body (which may add variables)
      const spread = `...${name}${directiveText(s.directives)}`;
      fragments[Number(name.slice(1)) - 1] = `fragment ${name} on ${s.fragmentOn} ${selectionText(s.selection)}`;
      return spread;
    }
    const argsText = s.args.length ? `(${s.args.map((a) => `${a.name}: ${argumentText(a.value)}`).join(', ')})` : '';
    const name = responseName(s.alias ?? s.field, `${s.field}${argsText}`);
    const sub = s.selection ? ` ${selectionText(s.selection)}` : '';
    return `${name === s.field ? '' : `${name}: `}${s.field}${argsText}${directiveText(s.directives)}${sub}`;
  };

  const body = selectionText(c.operation.selection);
  const { type, anonymous } = c.operation;
  const head = `${type}${anonymous ? '' : ' Main'}${definitions.length ? `(${definitions.join(', ')})` : ''}`;
  const shorthand = anonymous && type === 'query' && !definitions.length;
  const documents = [shorthand ? body : `${head} ${body}`, ...fragments];
  if (c.operation.withOtherOperation) documents.push('query Other { __typename }');
  return { query: documents.join('\n'), operationName: operationName(c.operation), variables };
}

function operationName({ anonymous, withOtherOperation, sendOperationName, operationNameMistake }: Operation): string | undefined {
  if (operationNameMistake) return anonymous ? 'Main' : withOtherOperation ? undefined : 'Nope';
  return anonymous ? undefined : withOtherOperation || sendOperationName ? 'Main' : undefined;
}
