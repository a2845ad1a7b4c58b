// kuzu's single-row insert, timed per row (p50, p90, mean), for bench_load's
// single-row insert figures: prepared CREATE, one transaction per row, as
// shared/peers/kuzu/bench.js does (which reports only the total).
// Usage: NODE_PATH=bench/.peers/node_modules node bench/peer_insert.js [rows] [dbdir]
const kuzu = require('kuzu');
const fs = require('fs');
(async () => {
  const R = parseInt(process.argv[2] || '2000', 10);
  const dir = process.argv[3] || '/tmp/og_peer_insert_kuzu';
  fs.rmSync(dir, { recursive: true, force: true });
  const db = new kuzu.Database(dir);
  const c = new kuzu.Connection(db);
  await c.query('CREATE NODE TABLE Person(id INT64, name STRING, PRIMARY KEY(id))');
  const p = await c.prepare('CREATE (:Person {id: $id, name: $name})');
  const ts = [];
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < R; i++) {
    const t = process.hrtime.bigint();
    await c.execute(p, { id: i, name: 'p' + i });
    ts.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  const total = Number(process.hrtime.bigint() - t0) / 1e6;
  ts.sort((a, b) => a - b);
  console.log(`kuzu single-row insert (${R} runs): p50 ${ts[R >> 1].toFixed(3)} ms p90 ${ts[Math.floor(R * 0.9)].toFixed(3)} ms mean ${(total / R).toFixed(3)} ms`);
  fs.rmSync(dir, { recursive: true, force: true });
})();
