// Runs one SQL file in DuckDB (threads=1, in memory) from the current folder: the join benchmarks'
// peer (bench/joins.py). usage: node duckdb_sql.mjs FILE.sql
import { readFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const db = await DuckDBInstance.create(':memory:', { threads: '1' });
const con = await db.connect();
await con.run(readFileSync(process.argv[2], 'utf8'));
