/**
 * `npm run bench:mapping`: µs per conversion for Jingle→SDP and SDP→Jingle on the golden offers
 * (test/golden), beside the peers stanza 12 and sdp-jingle-json 3 (bench/lib/mapping-peers.ts) on
 * the same inputs. Ratios are peer time / our time (> 1: ours is faster); the summary compares the
 * inputs every converter can take (the peers know neither XTLS nor RFC 5939 capneg).
 * Prints a table and writes bench/results/mapping-latest.json; no assertions.
 * BENCH_MS sets the time per case and converter (default 300 ms).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { readSdpInput } from '../src/cli/sip-input.ts';
import { sequentialIdSource } from '../src/mapping/ids.ts';
import { buildJingle, parseJingle, requireMediaSession } from '../src/mapping/jingle/jingle.ts';
import { parseXmlElement } from '../src/mapping/jingle/xml.ts';
import { jingleOfferToSdp } from '../src/mapping/translate/jingle-offer.ts';
import { translateOptions } from '../src/mapping/translate/options.ts';
import { inspectSdpOffer, sdpOfferToJingle } from '../src/mapping/translate/sdp-offer.ts';
import { writeResults } from './lib/machine.ts';
import {
  peerLimitation,
  sdpJingleJsonJingleToSdp,
  sdpJingleJsonSdpToJingle,
  stanzaJingleToSdp,
  stanzaSdpToJingle,
} from './lib/mapping-peers.ts';
import { fixed, table } from './lib/stats.ts';

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

function goldenOutput(file: string): string {
  return existsSync(`${dir}${file}`) ? readFileSync(`${dir}${file}`, 'utf8') : '';
}

/** µs per conversion, or why the converter was not timed ('error': it threw on this input). */
type Timing = number | 'n/a' | 'error';

interface Row {
  name: string;
  direction: 'Jingle→SDP' | 'SDP→Jingle';
  ours: number;
  stanza: Timing;
  sdpJingleJson: Timing;
  limitation?: string;
}

function timePeer(limitation: string | undefined, fn: () => unknown): Timing {
  if (limitation !== undefined) return 'n/a';
  try {
    fn();
  } catch {
    return 'error';
  }
  return measure(() => {
    fn();
  });
}

const rows: Row[] = [];
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
  if (meta.flow === 'xmpp-offer') {
    const xml = readFileSync(`${dir}${name}.jingle.xml`, 'utf8');
    // The expected output counts too: with sdp.*Offer = capneg a plain Jingle offer becomes capneg SDP.
    const limitation = peerLimitation(xml) ?? peerLimitation(goldenOutput(`${name}.sdp`));
    // sdp-jingle-json has no XML side: its input is the JSON it makes from this case's SDP.
    let sjjInput: unknown;
    try {
      sjjInput = sdpJingleJsonSdpToJingle(readFileSync(`${dir}${name}.sdp`, 'utf8'));
    } catch {
      sjjInput = undefined;
    }
    rows.push({
      name,
      direction: 'Jingle→SDP',
      ours: measure(() => {
        const session = requireMediaSession(parseJingle(parseXmlElement(xml)).session);
        jingleOfferToSdp(session, options, sequentialIdSource(), origin);
      }),
      stanza: timePeer(limitation, () => stanzaJingleToSdp(xml)),
      sdpJingleJson: sjjInput === undefined ? 'error' : timePeer(limitation, () => sdpJingleJsonJingleToSdp(sjjInput)),
      ...(limitation !== undefined ? { limitation } : {}),
    });
  } else {
    const sdp =
      meta.sdpFrom !== undefined
        ? readSdpInput(readFileSync(new URL(`../${meta.sdpFrom}`, import.meta.url), 'utf8')).sdp
        : readFileSync(`${dir}${name}.sdp`, 'utf8');
    const limitation = peerLimitation(sdp) ?? peerLimitation(goldenOutput(`${name}.jingle.xml`));
    rows.push({
      name,
      direction: 'SDP→Jingle',
      ours: measure(() => {
        const offer = sdpOfferToJingle(inspectSdpOffer(sdp), 'dtls', sequentialIdSource());
        buildJingle({ action: 'session-initiate', sid: 's', initiator: 'a@b/c', session: offer.session }).toString();
      }),
      stanza: timePeer(limitation, () => stanzaSdpToJingle(sdp)),
      sdpJingleJson: timePeer(limitation, () => sdpJingleJsonSdpToJingle(sdp)),
      ...(limitation !== undefined ? { limitation } : {}),
    });
  }
}

const cell = (t: Timing) => (typeof t === 'number' ? fixed(t, 1) : t);
const ratio = (peer: Timing, ours: number) => (typeof peer === 'number' ? fixed(peer / ours, 2) : '');
console.log(
  `Node ${process.version}, ${String(budgetMs)} ms per case and converter; µs per conversion (text in → text out;`,
);
console.log('sdp-jingle-json: its JSON in/out, no XML). ×: peer time / ours (> 1: ours is faster).\n');
console.log(
  table([
    ['case', 'direction', 'ours µs', 'stanza µs', '×', 'sdp-jingle-json µs', '×', 'peers cannot'],
    ...rows.map((r) => [
      r.name,
      r.direction,
      fixed(r.ours, 1),
      cell(r.stanza),
      ratio(r.stanza, r.ours),
      cell(r.sdpJingleJson),
      ratio(r.sdpJingleJson, r.ours),
      r.limitation ?? '',
    ]),
  ]),
);

/** Geometric mean of peer/ours over the inputs every converter took. */
const geomean = (xs: number[]) => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / Math.max(1, xs.length));
const summary = (['Jingle→SDP', 'SDP→Jingle'] as const).map((direction) => {
  const common = rows.filter(
    (r) => r.direction === direction && typeof r.stanza === 'number' && typeof r.sdpJingleJson === 'number',
  );
  const stanza = geomean(common.map((r) => (r.stanza as number) / r.ours));
  const sjj = geomean(common.map((r) => (r.sdpJingleJson as number) / r.ours));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  return {
    direction,
    commonCases: common.length,
    oursMeanUs: mean(common.map((r) => r.ours)),
    stanzaMeanUs: mean(common.map((r) => r.stanza as number)),
    sdpJingleJsonMeanUs: mean(common.map((r) => r.sdpJingleJson as number)),
    stanzaRatio: stanza,
    sdpJingleJsonRatio: sjj,
    /** Against the fastest peer: the target is ≥ 2. */
    fastestPeerRatio: Math.min(stanza, sjj),
  };
});
console.log(
  `\n${table([
    ['common inputs', 'cases', 'ours µs', 'stanza µs', '×', 'sdp-jingle-json µs', '×', '× fastest peer (target ≥ 2)'],
    ...summary.map((s) => [
      s.direction,
      String(s.commonCases),
      fixed(s.oursMeanUs, 1),
      fixed(s.stanzaMeanUs, 1),
      fixed(s.stanzaRatio, 2),
      fixed(s.sdpJingleJsonMeanUs, 1),
      fixed(s.sdpJingleJsonRatio, 2),
      fixed(s.fastestPeerRatio, 2),
    ]),
  ])}`,
);
console.log('(means: arithmetic µs; ×: geometric mean of per-case ratios)');
const path = writeResults('mapping', {
  budgetMs,
  peers: { stanza: '12.22.1', 'sdp-jingle-json': '3.1.0' },
  rows,
  summary,
});
console.log(`\nresults: ${path}`);
