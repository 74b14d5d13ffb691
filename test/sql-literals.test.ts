import { Client } from 'pg';
import { pgTextArray, pgUuidArray } from '../src/database/sql';
import { adminDatabaseUrl } from './helpers/database';

/** The array literals of src/database/sql.ts, read back by PostgreSQL itself: what goes in comes out. */
describe('SQL array literals', () => {
  const client = new Client({ connectionString: adminDatabaseUrl() });
  beforeAll(() => client.connect());
  afterAll(() => client.end());

  it('pgTextArray keeps quotes, backslashes, commas and braces inside one element each', async () => {
    const values = ['17841400000000001', 'a"b', 'back\\slash', 'x,y', '{z}', ''];
    const { rows } = await client.query<{ v: string[] }>('select $1::text[] as v', [pgTextArray(values)]);
    expect(rows[0].v).toEqual(values);
  });

  it('pgUuidArray is a uuid[] (also when empty)', async () => {
    const ids = ['7c9e6679-7425-40de-944b-e07fc1f90ae7', '00000000-0000-4000-8000-000000000000'];
    const { rows } = await client.query<{ v: string[]; e: string[] }>('select $1::uuid[] as v, $2::uuid[] as e', [pgUuidArray(ids), pgUuidArray([])]);
    expect(rows[0]).toEqual({ v: ids, e: [] });
  });
});
