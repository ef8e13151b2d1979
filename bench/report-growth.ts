// Part of `npm run bench` (bench/run.ts): the "Data growth" section of docs/performance.md (issue 24
// point 1): each scenario on the grown database beside the same on an empty one, the EXPLAIN summary,
// the retention's cost. A run narrowed to kapi-pg,kapi-pg-grown replaces only this section.

import { fmt, medianRange } from './lib/stats.js';
import { GROWTH_SCALE, GROWTH_SCENARIOS, LABEL, TITLE, TARGETS, type ScenarioKey } from './options.js';
import { med, results, runState, type Run } from './results.js';
import { growthSizes } from './data-growth/fill.js';
import { SEQ_SCAN_LIMIT } from './data-growth/explain.js';
import type { Markers } from './lib/doc-sections.js';
import { PAGE_CONNECTIONS } from './data-growth/scenarios.js';

export const GROWTH_MARKERS: Markers = {
  start: '<!-- growth:start (written by npm run bench with kapi-pg and kapi-pg-grown, bench/report-growth.ts) -->',
  end: '<!-- growth:end -->',
};

/** Both targets measured in the growth scenarios (a narrowed run writes the section only then). */
export const growthMeasured = () =>
  TARGETS.includes('kapi-pg') && TARGETS.includes('kapi-pg-grown') && GROWTH_SCENARIOS.some((s) => results[s]?.['kapi-pg-grown']?.runs.length);

/** Run i of the grown database over run i of the empty one, the median of those ratios. */
function pairedGrowth(s: ScenarioKey): number[] {
  const a = results[s]?.['kapi-pg-grown']?.runs.map((r) => r.throughput) ?? [];
  const b = results[s]?.['kapi-pg']?.runs.map((r) => r.throughput) ?? [];
  return a.slice(0, Math.min(a.length, b.length)).map((x, i) => x / b[i]!);
}

export const GOAL = 0.9; // "within 10% of the empty-database figure"

export function growthVerdicts(): Array<{ scenario: ScenarioKey; ratio: number; met: boolean | undefined }> {
  return (['login', 'refresh', 'history', 'institutions', 'registrar-lookup', 'registrar-history'] as ScenarioKey[]).map((s) => {
    const r = pairedGrowth(s);
    const ratio = r.length ? r.sort((a, b) => a - b)[r.length >> 1]! : NaN;
    return { scenario: s, ratio, met: Number.isFinite(ratio) ? ratio >= GOAL : undefined };
  });
}

export const seqScanFailures = () => (runState.explain ?? []).filter((e) => e.seqScans.length);

export function growthSection(command: string, started: Date): string {
  const out: string[] = [GROWTH_MARKERS.start, '## Data growth', ''];
  const grown = runState.growth;
  const sizes = growthSizes(GROWTH_SCALE);
  out.push(
    `Written by \`${command}\` on ${started.toISOString().replace('T', ' ').slice(0, 16)} UTC (issue 24 point 1). Kapı on Postgres + Redis, once on an empty database (${LABEL['kapi-pg']}) and once on a copy of the data-growth template (${LABEL['kapi-pg-grown']}), in the same run, runs interleaved, the ratio taken run by run.`,
  );
  out.push('');
  out.push(
    `- The template (\`bench/data-growth/\`) at scale ${GROWTH_SCALE}: ${fmt(sizes.accounts)} accounts with password credentials (four precomputed argon2id hashes, reused), ${fmt(sizes.signIns)} sign-ins, ${fmt(sizes.claimReleases)} claim releases, ${fmt(sizes.auditEvents)} audit events, ${fmt(sizes.accounts + sizes.heavy * 49)} consents, ${fmt(sizes.loginSessions)} session-index rows, ${fmt(sizes.oidcModels)} grants and refresh tokens, ${fmt(sizes.issuances)} registrar issuances and ${fmt(sizes.cancellations)} cancellations at ${fmt(sizes.offices)} offices, written by Postgres itself (\`INSERT ... SELECT\` over \`generate_series\`, secondary indexes built after the rows), history spread over 800 days with ids growing in time; 90% of the rows fall uniformly over every account and 10% on ${fmt(sizes.heavy)} heavy citizens (about 1,000 sign-ins each). ` +
      (grown
        ? `${grown.built ? 'Built in this run' : 'Built earlier'} in ${fmt(grown.buildSeconds)} s (${grown.steps.map((s) => `${s.what} ${fmt(s.seconds, 1)} s`).join('; ')}); ${fmt(grown.bytes / 2 ** 30, 2)} GiB on disk; the run's copy (\`CREATE DATABASE ... TEMPLATE ... STRATEGY file_copy\`) took ${fmt(grown.copySeconds, 1)} s.`
        : 'The grown target did not start.'),
  );
  out.push(
    `- The measured citizens on the grown database are generated heavy ones (about 1,000 sign-ins, 500 claim releases to 50 institutions, consents to all 50, 100 registrar issuances each); on the empty one, the demo citizen given a history of the same shape (\`bench/data-growth/person.ts\`; nobody else there has one), so that the ratio measures what the other rows cost her, not the length of her own pages. The history pages are fetched over HTTP with the cookies of a real password sign-in to \`/account\` (${PAGE_CONNECTIONS} autocannon connections). The registrar API needs a sign-in at acr \`high\` (smart card, mobile signature), which the benchmark cannot make: its look-up and history are measured as their storage calls (the account by national id, its password, its earlier issuances, the audit row; the office's records of the person and the people they name), made through Kapı's own repositories from the load generator, 8 at a time.`,
  );
  out.push('');
  out.push(`| scenario | empty database | grown database | grown / empty (goal ≥ ${GOAL}) | p99 empty (ms) | p99 grown (ms) | SQL / op empty, grown |`);
  out.push('| --- | --- | --- | --- | --- | --- | --- |');
  const verdicts = new Map(growthVerdicts().map((v) => [v.scenario, v]));
  for (const s of ['login', 'refresh', 'history', 'institutions', 'registrar-lookup', 'registrar-history'] as ScenarioKey[]) {
    const cell = (t: 'kapi-pg' | 'kapi-pg-grown') => {
      const r = results[s]?.[t];
      if (!r) return '–';
      if (r.error) return `failed: ${r.error.slice(0, 80)}`;
      if (r.note) return r.note;
      return medianRange(
        r.runs.map((x) => x.throughput),
        s === 'login' ? 1 : 0,
      );
    };
    const p99 = (t: 'kapi-pg' | 'kapi-pg-grown') => medianRange((results[s]?.[t]?.runs ?? []).map((x: Run) => x.p99 ?? NaN).filter(Number.isFinite), 1);
    const v = verdicts.get(s);
    const pairs = pairedGrowth(s);
    // The registrar scenarios' statements are the load generator's own: the server's probe does not see them.
    const sql = s.startsWith('registrar')
      ? '– (in the generator)'
      : `${fmt(
          med(s, 'kapi-pg', (x) => x.sqlPerOp),
          1,
        )}, ${fmt(
          med(s, 'kapi-pg-grown', (x) => x.sqlPerOp),
          1,
        )}`;
    out.push(
      `| ${TITLE[s]} | ${cell('kapi-pg')} | ${cell('kapi-pg-grown')} | ${pairs.length ? medianRange(pairs, 2) : '–'}${v?.met === false ? ' **missed**' : v?.met ? ' met' : ''} | ${p99('kapi-pg')} | ${p99('kapi-pg-grown')} | ${sql} |`,
    );
  }
  out.push('');
  out.push('### Retention on the grown database');
  out.push('');
  const ret = results.retention?.['kapi-pg-grown'];
  const x = ret?.runs[0];
  if (x?.extra) {
    const e = x.extra;
    const rows = e.rowsDeleted ?? NaN;
    const deleted = Object.entries(e)
      .filter(([k]) => k.startsWith('deleted:'))
      .map(([k, v]) => `${k.slice(8)} ${fmt(v)}`)
      .join(', ');
    out.push(
      `The purge of \`src/security/retention.ts\` (730 days: sign-ins, claim releases, audit events, the session index) and of expired grants and refresh tokens, in batches of at most 1,000 rows, each its own statement and transaction, ran while password logins were started at ${fmt(e.loginRate, 1)}/s (80% of the maximum measured just before): ${fmt(rows)} rows (${deleted}) in ${fmt(e.purgeSeconds, 1)} s and ${fmt(e.batches)} statements, the longest ${fmt(e.longestBatchMs)} ms (the longest any of its locks was held: row locks on the purged rows, which no sign-in touches, and the table's ROW EXCLUSIVE lock, which does not conflict with the sign-ins' inserts). Cost per million rows: ${fmt((e.purgeSeconds! / rows) * 1e6, 1)} s of wall time${
        e.postgresCpuSeconds! >= 0
          ? ` and ${fmt((e.postgresCpuSeconds! / rows) * 1e6, 1)} CPU-seconds of Postgres + Redis (sign-ins included)`
          : ' (the CPU of Postgres could not be read: backends that ended took theirs with them)'
      }.`,
    );
    out.push('');
    out.push('| password logins at 80% | logins/s | p50 (ms) | p99 (ms) | failed |');
    out.push('| --- | --- | --- | --- | --- |');
    out.push(`| alone | ${fmt(e.aloneThroughput, 1)} | ${fmt(e.aloneP50, 0)} | ${fmt(e.aloneP99, 0)} | ${fmt(e.aloneErrors)} |`);
    out.push(`| while the purge runs | ${fmt(x.throughput, 1)} | ${fmt(x.p50, 0)} | ${fmt(x.p99, 0)} | ${fmt(x.errors)} |`);
  } else out.push(ret?.error ? `Failed: ${ret.error}` : 'Not measured in this run.');
  out.push('');
  out.push('### EXPLAIN of every statement on those paths');
  out.push('');
  const ex = runState.explain;
  if (ex?.length) {
    const failures = seqScanFailures();
    out.push(
      `Every statement the server sent while the growth scenarios ran on the grown database (the first of each shape, with its parameters, kept by \`bench/lib/probe.mjs\`) and every statement of the registrar and retention scenarios, planned with \`EXPLAIN\` on the grown database (\`bench/data-growth/explain.ts\`). The benchmark fails on a sequential scan of a table over ${fmt(SEQ_SCAN_LIMIT)} rows: ${failures.length ? `**${failures.length} statement(s) did**` : 'none did'}. ${ex.length} statements:`,
    );
    out.push('');
    out.push('| statement | tables read |');
    out.push('| --- | --- |');
    for (const e of ex)
      out.push(
        `| \`${e.statement.replace(/\|/g, '\\|').replace(/`/g, "'")}\` | ${e.error ? `not planned: ${e.error}` : e.scans.length ? e.scans.map((s) => (e.seqScans.some((q) => s.startsWith(`Seq Scan ${q.table}`)) ? `**${s}**` : s)).join('; ') : 'none (values only)'} |`,
      );
  } else out.push('Not measured in this run.');
  out.push('', GROWTH_MARKERS.end);
  return out.join('\n');
}
