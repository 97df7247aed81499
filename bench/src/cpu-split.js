// `node --expose-gc --no-warnings src/cpu-split.js [--rounds 4] [--count 200000] CASE_ID…`: the CPU time
// per request of each process of a `switchboard serve` case — the switchboard process, its backend
// children, and this load generator — and the msg/s of the same burst, for cases measured in turn,
// round by round (the order reversed every other round). CPU per request hardly depends on other load
// on the machine, unlike msg/s; on 2 cores the sum over the processes bounds the throughput.
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { childPids } from './lib/child-processes.js';
import { cpuSeconds, cpuSecondsOf, sendAll } from './load/cpu-cost.js';
import { scenarios } from './scenarios/index.js';
import { CaseContext } from './sys/case-context.js';
import { killAllNow } from './sys/processes.js';
import { RssSampler } from './sys/rss-sampler.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { rounds: { type: 'string', default: '4' }, count: { type: 'string', default: '200000' } },
});
if (positionals.length === 0) {
  process.stderr.write('usage: src/cpu-split.js [--rounds N] [--count N] CASE_ID…\n');
  process.exit(2);
}
process.on('exit', killAllNow);
const all = new Map((await Promise.all(scenarios.map((s) => s.cases()))).flat().map((c) => [c.id, c]));
const count = Number(values.count);

for (let round = 0; round < Number(values.rounds); round++) {
  for (const id of round % 2 === 0 ? positionals : [...positionals].reverse()) {
    const c = all.get(id);
    if (!c?.setup) throw new Error(`no case ${id} with a setup`);
    const ctx = new CaseContext(new RssSampler());
    const channel = await c.setup(ctx, c.payloadBytes);
    try {
      await channel.open();
      // A switchboard case, or the minimal relay it is judged beside (the same parts otherwise).
      const pid = ctx.pidOf('switchboard') ?? ctx.pidOf('raw-echo-http-relay');
      if (pid === undefined) throw new Error(`${id} started no switchboard process (nor the relay)`);
      await sendAll(channel, { count: 20_000, concurrency: c.concurrency, firstId: 1 });
      const backends = childPids(pid);
      const before = { serve: cpuSeconds(pid), backends: cpuSecondsOf(backends), gen: process.cpuUsage() };
      const t0 = performance.now();
      await sendAll(channel, { count, concurrency: c.concurrency, firstId: 20_001 });
      const seconds = (performance.now() - t0) / 1000;
      const gen = process.cpuUsage(before.gen);
      const us = (/** @type {number} */ s) => ((s / count) * 1e6).toFixed(1);
      process.stdout.write(
        `${id}: ${Math.round(count / seconds)} msg/s; CPU µs per request: switchboard ${us(cpuSeconds(pid) - before.serve)}, ` +
          `backend ${us(cpuSecondsOf(backends) - before.backends)}, generator ${us((gen.user + gen.system) / 1e6)} (load ${loadavg()[0]?.toFixed(2)})\n`,
      );
    } finally {
      await channel.close().catch(() => undefined);
      await ctx.cleanup();
    }
  }
}
