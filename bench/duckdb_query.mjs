// The DuckDB peer of the benchmark workloads (bench/lib/benchlib.py): one thread, runs SETUP.sql
// (views over the input files), then COPY (QUERY) TO OUT (JSON lines), and prints the seconds
// spent in the query (without node start-up). usage: node duckdb_query.mjs SETUP.sql QUERY.sql OUT
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync } from 'node:fs';

const [setupPath, queryPath, output] = process.argv.slice(2);
const db = await DuckDBInstance.create(':memory:', { threads: '1' });
const con = await db.connect();
await con.run(readFileSync(setupPath, 'utf8'));
const query = readFileSync(queryPath, 'utf8').trim().replace(/;\s*$/, '');
const t0 = process.hrtime.bigint();
await con.run(`COPY (${query}) TO '${output.replace(/'/g, "''")}' (FORMAT json)`);
const secs = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(JSON.stringify({ seconds: secs }));
