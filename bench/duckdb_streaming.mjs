// The DuckDB peer of the streaming benchmarks (bench/streaming.py): runs one of the queries over a
// trades file (CSV or JSON lines), single-threaded, writing JSON lines, and prints the seconds spent
// in the query. Rows out are counted by the caller, outside the timing.
// usage: node duckdb_streaming.mjs QUERY csv|jsonl IN OUT.jsonl
//   QUERY: fp (filter+project), gb (GROUP BY symbol), tw (1-minute tumbling GROUP BY),
//          wf (LAG + moving AVG over a RANGE INTERVAL frame), keys (GROUP BY trade_id)
import { DuckDBInstance } from '@duckdb/node-api';

const [query, format, input, output] = process.argv.slice(2);
const columns = `{'trade_id': 'BIGINT', 'ts': 'TIMESTAMP', 'symbol': 'VARCHAR', 'trader': 'VARCHAR',
                  'side': 'VARCHAR', 'price': 'DECIMAL(12,2)', 'quantity': 'BIGINT'}`;
const src = format === 'csv'
    ? `read_csv('${input}', header = true, columns = ${columns})`
    : `read_json('${input}', format = 'newline_delimited', columns = ${columns})`;
const queries = {
    fp: `SELECT trade_id, symbol, price, quantity, price * quantity AS notional
         FROM ${src} WHERE side = 'BUY' AND quantity >= 500`,
    gb: `SELECT symbol, SUM(price * quantity) AS notional, SUM(quantity) AS qty, COUNT(*) AS n,
                AVG(price) AS avg_price
         FROM ${src} GROUP BY symbol`,
    tw: `SELECT symbol, time_bucket(INTERVAL '1 minute', ts) AS window_start, SUM(quantity) AS qty,
                COUNT(*) AS n, AVG(price) AS avg_price
         FROM ${src} GROUP BY symbol, time_bucket(INTERVAL '1 minute', ts)`,
    wf: `SELECT trade_id, symbol, price,
                LAG(price) OVER (PARTITION BY symbol ORDER BY ts) AS prev_price,
                AVG(price) OVER (PARTITION BY symbol ORDER BY ts
                                 RANGE BETWEEN INTERVAL '1' MINUTE PRECEDING AND CURRENT ROW) AS avg_1m
         FROM ${src}`,
    keys: `SELECT trade_id, COUNT(*) AS n, SUM(quantity) AS qty FROM ${src} GROUP BY trade_id`,
};
if (!queries[query]) throw new Error(`unknown query ${query}`);
const db = await DuckDBInstance.create(':memory:', { threads: '1' });
const con = await db.connect();
const t0 = process.hrtime.bigint();
await con.run(`COPY (${queries[query]}) TO '${output}' (FORMAT json)`);
const secs = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(JSON.stringify({ seconds: secs }));
