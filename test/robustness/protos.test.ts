/**
 * PROTOS c07-sip (Oulu University Secure Programming Group) against the running gateway (issue
 * 4, "Hostile input"): all 4,527 cases of ../shared/corpus/sip/protos-c07/, placeholders filled,
 * over UDP from 127.0.0.1 to the gateway on 127.0.0.2 — except the cases too large for any UDP
 * datagram (above 65,507 bytes: padded headers up to ~128 KB), which go over a TCP connection,
 * where the gateway must close it (after a 513 when it can form one). The suite's oracle: no crash, no hang, no
 * uncaught exception, and the gateway still answers after every case — here a valid OPTIONS,
 * waited for after each case. The answer to the case itself is not waited for.
 *
 * Each case file holds records `<length> <template>`: the test INVITE, then a teardown request
 * (`<Teardown-Method>`, sent as CANCEL). CPU time of this process (which hosts the gateway) is
 * measured around each case, probe included, and printed: mean, p99 and the worst cases.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { startTestGateway, GATEWAY_SIP_HOST, type TestGateway } from '../e2e/harness/gateway.ts';
import { startProsody, type ProsodyServer } from '../e2e/harness/prosody.ts';
import { optionsProbe, PEER_HOST, TcpPeer, UdpPeer } from './sip-probe.ts';

const corpus = new URL('../../../shared/corpus/sip/protos-c07/', import.meta.url);
const CASES = 4527;
/** Largest UDP payload over IPv4. */
const MAX_DATAGRAM = 65507;
/** How long the gateway may take to answer the probe after a case before it counts as hung. */
const PROBE_TIMEOUT_MS = 5000;

interface Group {
  name: string;
  first: number;
  count: number;
}

async function readGroups(): Promise<Group[]> {
  const text = await readFile(new URL('GROUPS.tsv', corpus), 'utf8');
  return text
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const [name, first, count] = line.split('\t');
      return { name: name!, first: Number(first), count: Number(count) };
    });
}

/** The `<length> <bytes>` records of a case file (latin1, byte for byte). */
export function recordsOf(file: Buffer): string[] {
  const text = file.toString('latin1');
  const records: string[] = [];
  let at = 0;
  while (at < text.length) {
    const space = text.indexOf(' ', at);
    if (space === -1) break;
    const length = Number(text.slice(at, space));
    if (!Number.isInteger(length) || length < 0) break;
    records.push(text.slice(space + 1, space + 1 + length));
    at = space + 1 + length;
  }
  return records;
}

interface CaseValues {
  to: string;
  from: string;
  fromAddress: string;
  localPort: number;
  callId: string;
  cseq: number;
  branch: string;
}

/** A template with its placeholders filled; `<Content-Length>` is the body's byte length. */
export function fillTemplate(template: string, values: CaseValues): string {
  const filled = template
    .replaceAll('<To>', values.to)
    .replaceAll('<From>', values.from)
    .replaceAll('<From-Address>', values.fromAddress)
    .replaceAll('<From-IP>', values.fromAddress)
    .replaceAll('<Local-Port>', String(values.localPort))
    .replaceAll('<Call-ID>', values.callId)
    .replaceAll('<CSeq>', String(values.cseq))
    .replaceAll('<Branch-ID>', values.branch)
    .replaceAll('<Teardown-Method>', 'CANCEL');
  const headerEnd = filled.indexOf('\r\n\r\n');
  const bodyLength = headerEnd === -1 ? 0 : filled.length - headerEnd - 4;
  return filled.replaceAll('<Content-Length>', String(bodyLength));
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

describe('PROTOS c07-sip against the running gateway', () => {
  let prosody: ProsodyServer;
  let gw: TestGateway;
  let uncaught = 0;
  const onUncaught = (): void => {
    uncaught++;
  };

  before(async () => {
    process.on('uncaughtException', onUncaught);
    prosody = await startProsody();
    // Calls the valid-enough cases start end fast: short IQ and ring timeouts.
    gw = await startTestGateway({ prosody, overrides: { jingle: { iqTimeoutMs: 1000, ringTimeoutMs: 1000 } } });
  });

  after(async () => {
    await gw?.close();
    await prosody?.stop();
    process.off('uncaughtException', onUncaught);
  });

  it('fills the placeholders of case 0 into a well-formed INVITE and CANCEL', async () => {
    const records = recordsOf(await readFile(new URL('0000000', corpus)));
    assert.equal(records.length, 2);
    const values: CaseValues = {
      to: 'protos@127.0.0.2:5060',
      from: 'tester@127.0.0.1',
      fromAddress: '127.0.0.1',
      localPort: 5061,
      callId: 'c0',
      cseq: 1,
      branch: '7',
    };
    const invite = fillTemplate(records[0]!, values);
    assert.equal(invite.split('\r\n')[0], 'INVITE sip:protos@127.0.0.2:5060 SIP/2.0');
    assert.match(invite, /\r\nContent-Length: 119\r\n\r\nv=0\r\n/);
    assert.equal(Buffer.byteLength(invite.slice(invite.indexOf('\r\n\r\n') + 4), 'latin1'), 119);
    assert.equal(fillTemplate(records[1]!, values).split('\r\n')[0], 'CANCEL sip:protos@127.0.0.2:5060 SIP/2.0');
    assert.doesNotMatch(invite, /<[A-Z][A-Za-z-]+>/);
  });

  it('survives all 4,527 cases: the gateway answers OPTIONS after each, nothing throws', async () => {
    const groups = await readGroups();
    assert.equal(
      groups.reduce((sum, g) => sum + g.count, 0),
      CASES,
    );
    const groupOf = (n: number): string => groups.find((g) => n >= g.first && n < g.first + g.count)?.name ?? '?';
    const target = `${GATEWAY_SIP_HOST}:${String(gw.sipPort)}`;
    // Cases and their answers (and retransmissions) on one socket, probes on another.
    const cases = await UdpPeer.open(false);
    const probes = await UdpPeer.open();
    const cpu: { n: number; micros: number; bytes: number }[] = [];
    const unanswered: number[] = [];
    const overTcp: number[] = [];
    const tcpNotClosed: number[] = [];
    // 513 when the Via is within the first 64 KiB; a padded request line leaves none to answer.
    let answered513 = 0;
    const started = performance.now();
    try {
      for (let n = 0; n < CASES; n++) {
        const file = await readFile(new URL(String(n).padStart(7, '0'), corpus));
        const values: CaseValues = {
          to: `protos@${target}`,
          from: `tester@${PEER_HOST}`,
          fromAddress: PEER_HOST,
          localPort: cases.port,
          callId: `protos-${String(n)}-${String(started)}`,
          cseq: n + 1,
          branch: String(n),
        };
        const messages = recordsOf(file).map((record) => fillTemplate(record, values));
        const probe = optionsProbe(target, 'UDP', probes.port);
        const before = process.cpuUsage();
        let stream: TcpPeer | undefined;
        if (messages.some((message) => message.length > MAX_DATAGRAM)) {
          overTcp.push(n);
          stream = await TcpPeer.open(GATEWAY_SIP_HOST, gw.sipPort);
          for (const message of messages) stream.send(message);
        } else {
          for (const message of messages) cases.send(message, GATEWAY_SIP_HOST, gw.sipPort);
        }
        probes.send(probe.text, GATEWAY_SIP_HOST, gw.sipPort);
        const answered = await probes.until(
          () => probes.responses.some((r) => r.callId === probe.callId && r.status === 200),
          PROBE_TIMEOUT_MS,
        );
        if (stream !== undefined) {
          const peer = stream;
          if (!(await peer.until(() => peer.closedByGateway, PROBE_TIMEOUT_MS))) tcpNotClosed.push(n);
          if (peer.responses.some((r) => r.status === 513)) answered513++;
          peer.close();
        }
        const used = process.cpuUsage(before);
        cpu.push({ n, micros: used.user + used.system, bytes: messages[0]?.length ?? 0 });
        probes.responses.length = 0;
        if (!answered) unanswered.push(n);
      }
    } finally {
      cases.close();
      probes.close();
    }
    const seconds = (performance.now() - started) / 1000;
    const sorted = cpu.map((c) => c.micros).sort((a, b) => a - b);
    const mean = sorted.reduce((sum, v) => sum + v, 0) / sorted.length;
    const worst = [...cpu].sort((a, b) => b.micros - a.micros).slice(0, 5);
    console.log(
      `PROTOS c07-sip: ${String(cpu.length)} cases (${String(overTcp.length)} over TCP, ` +
        `${String(answered513)} of them answered 513) in ${seconds.toFixed(1)} s; CPU per case (gateway + test, ` +
        `probe included): mean ${(mean / 1000).toFixed(2)} ms, p99 ${(percentile(sorted, 99) / 1000).toFixed(2)} ms, ` +
        `worst ${worst
          .map((w) => `#${String(w.n)} ${groupOf(w.n)} ${String(w.bytes)} B ${(w.micros / 1000).toFixed(1)} ms`)
          .join('; ')}`,
    );
    assert.deepEqual(unanswered, [], 'cases after which the gateway did not answer OPTIONS');
    assert.deepEqual(tcpNotClosed, [], 'oversized cases whose TCP connection the gateway did not close');
    assert.equal(cases.sendErrors, 0, 'every UDP case was sent');
    assert.equal(cpu.length, CASES);
    assert.equal(uncaught, 0, 'no uncaught exception');
    assert.equal(gw.gateway.health().sip, true);
  });
});
