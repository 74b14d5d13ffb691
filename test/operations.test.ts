import { readFileSync } from 'node:fs';
import path from 'node:path';
import { appForThisFile } from './helpers/test-app';

const app = appForThisFile();

describe('operational endpoints', () => {
  it('answers /healthz and /readyz', async () => {
    expect(await (await fetch(`${app.url}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${app.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', database: 'ok' });
  });

  it('serves the committed schema at /schema.graphql', async () => {
    const served = await (await fetch(`${app.url}/schema.graphql`)).text();
    expect(served).toBe(readFileSync(path.resolve(__dirname, '..', 'schema.graphql'), 'utf8'));
  });

  it('serves Prometheus metrics', async () => {
    const text = await (await fetch(`${app.url}/metrics`)).text();
    expect(text).toContain('meta_calls_total');
  });
});

describe('migrations', () => {
  it('leave the database exactly as the entities describe it', async () => {
    const diff = await app.handles.orm.schema.getUpdateSchemaSQL({ wrap: false });
    expect(diff.trim()).toBe('');
  });
});
