import { choice, decimal, flag, httpUrl, integer, list, readVariables, text, type Mode, type Variable } from '../../src/config/parsers';
import { httpUrlEntry } from '../../src/config/value-parsers';

const development: Mode = { nodeEnv: 'development', production: false };
const production: Mode = { nodeEnv: 'production', production: true };

/** The value and problems of one variable named X set to `raw` (undefined: unset). */
function read<T>(variable: Variable<T>, raw?: string, mode = development) {
  const problems: string[] = [];
  const { values, invalid } = readVariables({ X: variable }, { X: raw }, mode, problems);
  return { value: values.X, problems, invalid: invalid.has('X') };
}

describe('config parsers', () => {
  it('integer: whole numbers within the range, named in every problem', () => {
    const port = integer({ default: 4000, min: 0, max: 65535, doc: '' });
    expect(read(port)).toEqual({ value: 4000, problems: [], invalid: false });
    expect(read(port, ' 8080 ').value).toBe(8080);
    expect(read(port, '8080.5').problems).toEqual(['X must be a whole number (got "8080.5")']);
    expect(read(port, '70000')).toEqual({ value: 70000, problems: ['X must be between 0 and 65535 (got 70000)'], invalid: true });
    expect(read(integer({ min: 100, doc: '' }), '5').problems).toEqual(['X must be between 100 and ∞ (got 5)']);
    expect(port.accepts).toBe('integer 0-65535');
    expect(integer({ min: 1, doc: '' }).accepts).toBe('integer ≥ 1');
  });

  it('decimal: any finite number within the range', () => {
    const hours = decimal({ default: 24, min: 0.01, doc: '' });
    expect(read(hours, '0.5').value).toBe(0.5);
    expect(read(hours, 'soon').problems).toEqual(['X must be a number (got "soon")']);
    expect(read(hours, '0').problems).toEqual(['X must be between 0.01 and ∞ (got 0)']);
  });

  it('choice: one of the listed values, optionally in any case', () => {
    expect(read(choice(['jit', 'graphql-js'], { default: 'jit', doc: '' }), 'v8').problems).toEqual(['X must be jit or graphql-js']);
    expect(read(choice(['auto', 'json', 'pretty'], { default: 'auto', doc: '' }), 'xml').problems).toEqual(['X must be one of auto, json, pretty']);
    expect(read(choice(['on', 'off'], { default: 'on', ignoreCase: true, doc: '' }), 'OFF')).toEqual({ value: 'off', problems: [], invalid: false });
    expect(read(choice(['info', 'warn'], { default: 'info', doc: '' }), 'INFO').problems).toEqual(['X must be info or warn']);
  });

  it('flag: on for 1, true, yes, on; off for anything else set', () => {
    const migrate = flag({ default: true, doc: '' });
    expect(read(migrate).value).toBe(true);
    for (const raw of ['1', 'TRUE', 'yes', 'On']) expect(read(migrate, raw).value).toBe(true);
    for (const raw of ['0', 'false', 'off', 'nope']) expect(read(migrate, raw)).toEqual({ value: false, problems: [], invalid: false });
  });

  it('defaults: blank counts as unset, and a default may depend on the mode', () => {
    const introspection = flag({ default: (mode) => !mode.production, doc: '' });
    expect(read(introspection, undefined, development).value).toBe(true);
    expect(read(introspection, '   ', production).value).toBe(false);
    expect(read(text({ doc: '' }), '').value).toBeUndefined();
  });

  it('list: comma separated, blanks dropped, each entry checked with its position', () => {
    const urls = list(
      httpUrlEntry((url) => url),
      { accepts: '', doc: '' },
    );
    expect(read(urls).value).toEqual([]);
    expect(read(urls, ' https://a.example/cb , ,https://b.example/cb').value).toEqual(['https://a.example/cb', 'https://b.example/cb']);
    expect(read(urls, 'https://a.example,ftp://b')).toEqual({
      value: ['https://a.example'],
      problems: ['X: "ftp://b" is not an absolute http(s) URL'],
      invalid: true,
    });
    const indexed = list((entry, name, problems, index) => (entry === 'bad' ? void problems.push(`${name}[${index}] is bad`) : entry), {
      accepts: '',
      doc: '',
    });
    expect(read(indexed, 'a,bad').problems).toEqual(['X[1] is bad']);
  });

  it('text and httpUrl: patterns with their own message, base URLs without trailing slashes', () => {
    const version = text({ default: 'v25.0', pattern: /^v\d+\.\d+$/, problem: (raw) => `must look like v25.0 (got "${raw}")`, doc: '' });
    expect(read(version, '25').problems).toEqual(['X must look like v25.0 (got "25")']);
    // A static message never echoes the value (DATABASE_URL carries a password).
    expect(read(text({ pattern: /^postgres/, problem: 'must be a postgres:// URL', doc: '' }), 'mysql://u:pw@h').problems).toEqual([
      'X must be a postgres:// URL',
    ]);
    expect(read(httpUrl({ doc: '' }), 'https://proxy.example/meta/graph//').value).toBe('https://proxy.example/meta/graph');
    expect(read(httpUrl({ problem: 'must be the collector URL', doc: '' }), 'nope').problems).toEqual(['X must be the collector URL']);
  });
});
