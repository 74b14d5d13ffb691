// The kinds of value an environment variable can hold. Each builds one row of the table in
// variables.ts: how a set value is parsed and checked, what it defaults to, and what docs/configuration.md says.

export type Env = Record<string, string | undefined>;

/** What a default may depend on. */
export interface Mode {
  nodeEnv: string;
  production: boolean;
}

export type Problems = string[];

export interface Variable<T> {
  /** One line for docs/configuration.md. */
  doc: string;
  /** What a value may be, for docs/configuration.md ("integer 0-65535", "`on` or `off`"). */
  accepts: string;
  /** Used when the variable is unset or blank; absent: the value is undefined (or, for lists, empty). */
  default?: T | ((mode: Mode) => T);
  /** The default column of docs/configuration.md when the default is conditional or decided after the table. */
  defaultDoc?: string;
  /** A set value (trimmed, never empty) → the value; a bad one adds a problem naming `name`. */
  parse(raw: string, name: string, problems: Problems): T;
}

interface Options<T> {
  doc: string;
  default?: T | ((mode: Mode) => T);
  defaultDoc?: string;
}

/** With a default the value is always there; without one it may be undefined. */
type Defined<T, O> = Variable<O extends { default: unknown } ? T : T | undefined>;

interface Range {
  min?: number;
  max?: number;
}

export function integer<O extends Options<number> & Range>(options: O): Defined<number, O> {
  return numeric('integer', 'a whole number', (raw, value) => /^-?\d+$/.test(raw) && Number.isSafeInteger(value), options);
}

export function decimal<O extends Options<number> & Range>(options: O): Defined<number, O> {
  return numeric('number', 'a number', (_raw, value) => Number.isFinite(value), options);
}

function numeric<O extends Options<number> & Range>(
  kind: string,
  described: string,
  valid: (raw: string, value: number) => boolean,
  options: O,
): Defined<number, O> {
  return {
    ...options,
    accepts: `${kind}${describeRange(options)}`,
    parse: (raw, name, problems) => {
      const value = Number(raw);
      if (valid(raw, value)) return checkRange(value, name, problems, options);
      problems.push(`${name} must be ${described} (got "${raw}")`);
      return 0;
    },
  };
}

/** Free text, or text matching `pattern` (`problem` then says what is wrong, after the name). */
export function text<O extends Options<string> & { pattern?: RegExp; problem?: string | ((raw: string) => string); accepts?: string }>(
  options: O,
): Defined<string, O> {
  const { problem = `must match ${options.pattern}` } = options;
  return {
    ...options,
    accepts: options.accepts ?? 'text',
    parse: (raw, name, problems) => {
      if (options.pattern && !options.pattern.test(raw)) problems.push(`${name} ${typeof problem === 'string' ? problem : problem(raw)}`);
      return raw;
    },
  };
}

/** An http(s) base URL, trailing slashes dropped (a path prefix stays). */
export function httpUrl<O extends Options<string> & { problem?: string }>(options: O): Defined<string, O> {
  return {
    ...options,
    accepts: 'http(s) URL',
    parse: (raw, name, problems) => {
      const url = raw.replace(/\/+$/, '');
      if (!isHttpUrl(url)) problems.push(`${name} ${options.problem ?? 'must be an http(s) URL'}`);
      return url;
    },
  };
}

export function choice<const C extends readonly string[], O extends Options<C[number]> & { ignoreCase?: boolean }>(
  choices: C,
  options: O,
): Defined<C[number], O> {
  const listed = choices.length === 2 ? `${choices[0]} or ${choices[1]}` : `one of ${choices.join(', ')}`;
  return {
    ...options,
    accepts: choices.map((c) => `\`${c}\``).join(', '),
    parse: (raw, name, problems) => {
      const value = options.ignoreCase ? raw.toLowerCase() : raw;
      if (!choices.includes(value)) problems.push(`${name} must be ${listed}`);
      return value;
    },
  };
}

const TRUTHY = ['1', 'true', 'yes', 'on'];

/** On for 1, true, yes or on (any case); anything else set is off. */
export function flag<O extends Options<boolean>>(options: O): Defined<boolean, O> {
  return { ...options, accepts: `${TRUTHY.map((t) => `\`${t}\``).join(', ')}; anything else: off`, parse: (raw) => TRUTHY.includes(raw.toLowerCase()) };
}

/**
 * Comma separated; blanks dropped; each entry parsed by `item` (undefined: it added a problem).
 * Unset: empty, unless a default says otherwise.
 */
export function list<T>(
  item: (entry: string, name: string, problems: Problems, index: number) => T | undefined,
  options: Options<T[]> & { accepts: string },
): Variable<T[]> {
  return {
    default: [],
    ...options,
    parse: (raw, name, problems) =>
      raw
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean)
        .map((entry, index) => item(entry, name, problems, index))
        .filter((value): value is T => value !== undefined),
  };
}

/** A value of its own kind: `parse` checks it and says what is wrong. */
export function custom<T, O extends Options<T>>(accepts: string, parse: Variable<T>['parse'], options: O): Defined<T, O> {
  return { ...options, accepts, parse };
}

function describeRange({ min, max }: Range): string {
  if (min !== undefined && max !== undefined) return ` ${min}-${max}`;
  if (min !== undefined) return ` ≥ ${min}`;
  return max !== undefined ? ` ≤ ${max}` : '';
}

function checkRange(value: number, name: string, problems: Problems, { min, max }: Range): number {
  if ((min !== undefined && value < min) || (max !== undefined && value > max)) {
    problems.push(`${name} must be between ${min ?? '-∞'} and ${max ?? '∞'} (got ${value})`);
  }
  return value;
}

export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** An endpoint as it may appear in messages and logs: no credentials, query or fragment. */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return '(not a URL)';
  }
}

export type Values<V> = { [K in keyof V]: V[K] extends Variable<infer T> ? T : never };

/** Every variable of `table`, parsed or defaulted (blank counts as unset), and the names whose value was bad. */
export function readVariables<V extends Record<string, Variable<unknown>>>(
  table: V,
  env: Env,
  mode: Mode,
  problems: Problems,
): { values: Values<V>; invalid: Set<keyof V> } {
  const values: Record<string, unknown> = {};
  const invalid = new Set<keyof V>();
  for (const [name, variable] of Object.entries(table)) {
    const raw = env[name]?.trim();
    const before = problems.length;
    const fallback = variable.default;
    values[name] = raw ? variable.parse(raw, name, problems) : typeof fallback === 'function' ? (fallback as (mode: Mode) => unknown)(mode) : fallback;
    if (problems.length > before) invalid.add(name);
  }
  return { values: values as Values<V>, invalid };
}
