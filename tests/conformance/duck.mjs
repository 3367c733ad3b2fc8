// The DuckDB side of tests/conformance: ONE node process runs every query.
//
// usage: node duck.mjs SETUP.sql LIST.tsv
//   SETUP.sql  statements run first (views named like the velo streams over read_csv/read_json)
//   LIST.tsv   one line per query: QUERY_FILE <tab> RESULT_FILE
//
// A result file is JSON lines: first {"columns": [...], "types": [...]} (DuckDB type names), then
// one JSON array per row. NULL is null, BOOLEAN is true/false, VARCHAR is the string, and every
// other value is a string that keeps it exactly: DECIMAL as its exact text (never through a
// double), integers (BIGINT, HUGEINT...) as digits, DOUBLE/FLOAT as the shortest round-trip text
// ("NaN", "Infinity" too), TIMESTAMP as microseconds since 1970-01-01 UTC, DATE as days since
// 1970-01-01, INTERVAL as "months,days,micros". A query that fails writes {"error": "..."}.
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync, writeFileSync } from 'node:fs';

const [setupPath, listPath] = process.argv.slice(2);
if (!setupPath || !listPath) {
  console.error('usage: node duck.mjs SETUP.sql LIST.tsv');
  process.exit(2);
}

function encode(v, type) {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint' || typeof v === 'number') return String(v);
  if (type.startsWith('TIMESTAMP') && v.micros !== undefined) return String(v.micros);
  if (type === 'DATE' && v.days !== undefined) return String(v.days);
  if (type === 'INTERVAL') return `${v.months},${v.days},${v.micros}`;
  return String(v); // DECIMAL (exact text) and anything else
}

const db = await DuckDBInstance.create(':memory:', { threads: '1' });
const con = await db.connect();
await con.run(readFileSync(setupPath, 'utf8'));

const lines = readFileSync(listPath, 'utf8').split('\n').filter((l) => l.trim() !== '');
for (const line of lines) {
  const [queryPath, outPath] = line.split('\t');
  let out;
  try {
    const reader = await con.runAndReadAll(readFileSync(queryPath, 'utf8'));
    const types = reader.columnTypes().map((t) => t.toString());
    const parts = [JSON.stringify({ columns: reader.columnNames(), types })];
    for (const row of reader.getRows()) {
      parts.push(JSON.stringify(row.map((v, i) => encode(v, types[i]))));
    }
    out = parts.join('\n') + '\n';
  } catch (e) {
    out = JSON.stringify({ error: String(e && e.message ? e.message : e) }) + '\n';
  }
  writeFileSync(outPath, out);
}
