/**
 * `npm run bench:mapping`: µs per conversion for Jingle→SDP and SDP→Jingle on the golden
 * offers (test/golden). Prints a table; no assertions — speed targets live here, not in tests.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { readSdpInput } from '../src/cli/sip-input.ts';
import { sequentialIdSource } from '../src/mapping/ids.ts';
import { buildJingle, parseJingle, requireMediaSession } from '../src/mapping/jingle/jingle.ts';
import { parseXmlElement } from '../src/mapping/jingle/xml.ts';
import { jingleOfferToSdp } from '../src/mapping/translate/jingle-offer.ts';
import { translateOptions } from '../src/mapping/translate/options.ts';
import { inspectSdpOffer, sdpOfferToJingle } from '../src/mapping/translate/sdp-offer.ts';

const dir = new URL('../test/golden/', import.meta.url).pathname;
const budgetMs = Number(process.env.BENCH_MS ?? 300);
const origin = { sessionId: '1', sessionVersion: 1, address: '192.0.2.1' };

function measure(fn: () => void): number {
  for (let i = 0; i < 200; i++) fn();
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < budgetMs) {
    for (let i = 0; i < 50; i++) fn();
    n += 50;
  }
  return ((performance.now() - start) * 1000) / n;
}

const rows: { name: string; j2s?: number; s2j?: number }[] = [];
for (const file of readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort()) {
  const name = file.slice(0, -5);
  const meta = JSON.parse(readFileSync(`${dir}${file}`, 'utf8')) as {
    flow: string;
    error?: string;
    options?: object;
    sdpFrom?: string;
  };
  if (meta.error !== undefined || (meta.flow !== 'xmpp-offer' && meta.flow !== 'sip-offer')) continue;
  const options = translateOptions(meta.options);
  const row: (typeof rows)[number] = { name };
  if (meta.flow === 'xmpp-offer') {
    const xml = readFileSync(`${dir}${name}.jingle.xml`, 'utf8');
    row.j2s = measure(() => {
      const session = requireMediaSession(parseJingle(parseXmlElement(xml)).session);
      jingleOfferToSdp(session, options, sequentialIdSource(), origin);
    });
  } else {
    const sdp =
      meta.sdpFrom !== undefined
        ? readSdpInput(readFileSync(new URL(`../${meta.sdpFrom}`, import.meta.url), 'utf8')).sdp
        : readFileSync(`${dir}${name}.sdp`, 'utf8');
    row.s2j = measure(() => {
      const offer = sdpOfferToJingle(inspectSdpOffer(sdp), 'dtls', sequentialIdSource());
      buildJingle({ action: 'session-initiate', sid: 's', initiator: 'a@b/c', session: offer.session }).toString();
    });
  }
  rows.push(row);
}

const fmt = (v: number | undefined) => (v === undefined ? '' : v.toFixed(1)).padStart(12);
console.log(`Node ${process.version}, ${budgetMs} ms per case; µs per conversion (text in → text out)\n`);
console.log(`${'case'.padEnd(32)}${'Jingle→SDP'.padStart(12)}${'SDP→Jingle'.padStart(12)}`);
for (const r of rows) console.log(`${r.name.padEnd(32)}${fmt(r.j2s)}${fmt(r.s2j)}`);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const j = rows.flatMap((r) => (r.j2s !== undefined ? [r.j2s] : []));
const s = rows.flatMap((r) => (r.s2j !== undefined ? [r.s2j] : []));
console.log(`${'mean'.padEnd(32)}${fmt(mean(j))}${fmt(mean(s))}`);
