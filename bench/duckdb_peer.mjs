// The DuckDB peer: runs the same filter+project over the same CSV file, single-threaded, writing
// JSON lines, and prints elapsed seconds and the row count. usage: node duckdb_peer.mjs IN.csv OUT.jsonl
import { DuckDBInstance } from '@duckdb/node-api';

const [input, output] = process.argv.slice(2);
const db = await DuckDBInstance.create(':memory:', { threads: '1' });
const con = await db.connect();
const t0 = process.hrtime.bigint();
await con.run(`COPY (
  SELECT trade_id, symbol, price, quantity, price * quantity AS notional
  FROM read_csv('${input}', header = true,
       columns = {'trade_id': 'BIGINT', 'ts': 'TIMESTAMP', 'symbol': 'VARCHAR', 'trader': 'VARCHAR',
                  'side': 'VARCHAR', 'price': 'DECIMAL(12,2)', 'quantity': 'BIGINT'})
  WHERE side = 'BUY' AND quantity >= 500
) TO '${output}' (FORMAT json)`);
const secs = Number(process.hrtime.bigint() - t0) / 1e9;
const r = await con.runAndReadAll(`SELECT count(*) FROM read_json('${output}', format = 'newline_delimited')`);
console.log(JSON.stringify({ seconds: secs, rows_out: Number(r.getRows()[0][0]) }));
