/**
 * The three fuzzed paths, their seeds and what counts as a documented rejection on each:
 *
 *   sip     bytes → the input screen (src/sip/stack-limits.ts) → npm `sip` parse (as the UDP transport calls it) → the library's own sanity
 *           check → messageFromWire → header helpers → the stack's response to it, stringified.
 *           Documented rejection: none. `sip.parse` answers garbage with `undefined` and the
 *           stack drops it; nothing on this path may throw (a throw in `sip.parse` is uncaught
 *           in the library's UDP socket handler and ends the process).
 *   sdp     SDP text → parseSdp → inspectSdpOffer → sdpOfferToJingle (dtls, xtls, none) → the
 *           session-initiate as XML, and a callee's session-accept of it → jingleAnswerToSdp; and the same text as the answer to two fixed gateway offers
 *           (XEP-0320 direct, XTLS capneg) → sdpAnswerToJingle / sdpEarlyAnswerToJingle.
 *           Documented rejection: GatewayError.
 *   jingle  XML text → parseXmlElement (default limits) → findJingle → parseJingle →
 *           requireMediaSession → jingleOfferToSdp (default and capneg options).
 *           Documented rejection: GatewayError.
 *
 * Besides "no undocumented exception", invariants hold between the sides: whatever the gateway
 * builds from SDP must serialise to XML it can parse back (no characters XML 1.0 forbids); no
 * value taken from Jingle may hold a line break or NUL that would end an SDP line early
 * (RFC 8866 §5); and every SDP the gateway writes parses back with one m= line per content. A
 * violation throws FuzzInvariantError.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as sip from 'sip';
import type { SipLibMessage } from 'sip';
import { readSdpInput } from '../../src/cli/sip-input.ts';
import { GatewayError } from '../../src/mapping/errors.ts';
import { sequentialIdSource } from '../../src/mapping/ids.ts';
import { buildJingle, parseJingle, requireMediaSession } from '../../src/mapping/jingle/jingle.ts';
import { findJingle, parseXmlElement } from '../../src/mapping/jingle/xml.ts';
import type { MediaSession } from '../../src/mapping/model.ts';
import { parseSdp } from '../../src/mapping/sdp/parse.ts';
import { jingleOfferToSdp, type JingleOffer } from '../../src/mapping/translate/jingle-offer.ts';
import { translateOptions } from '../../src/mapping/translate/options.ts';
import { sdpAnswerToJingle, sdpEarlyAnswerToJingle } from '../../src/mapping/translate/sdp-answer.ts';
import { jingleAnswerToSdp } from '../../src/mapping/translate/jingle-answer.ts';
import { inspectSdpOffer, sdpOfferToJingle } from '../../src/mapping/translate/sdp-offer.ts';
import { displayName, isLooseRouter, maxForwardsOf, optionTags, tagOf, uriUser } from '../../src/sip/headers.ts';
import { isSipRequest } from '../../src/sip/message.ts';
import { defaultSipLimits, screenDatagram } from '../../src/sip/stack-limits.ts';
import type { SipPort } from '../../src/sip/port.ts';
import { createSipStack } from '../../src/sip/stack.ts';
import { messageFromWire, messageToWire, nextHopOf } from '../../src/sip/stack-wire.ts';
import type { FuzzTarget } from './runner.ts';
import { sipLines, sipTokens, sdpLines, sdpTokens, jingleLines, jingleTokens } from './tokens.ts';

/** A model or output that breaks an invariant of the path (see the header). */
export class FuzzInvariantError extends Error {
  override readonly name = 'FuzzInvariantError';
}

const root = new URL('../..', import.meta.url).pathname;
/** Shared corpora, read in place (never copied into the repository). */
const shared = join(root, '..', 'shared');

function filesIn(dir: string, suffix: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith(suffix))
    .sort()
    .map((name) => join(dir, name));
}

const gatewayError = (error: unknown): string | undefined =>
  error instanceof GatewayError ? `GatewayError ${error.code}` : undefined;

// --- SIP -------------------------------------------------------------------------------------

/** Values for the PROTOS c07 template placeholders (README of the corpus). */
const protosFill: Record<string, string> = {
  To: 'gw@127.0.0.2',
  From: 'protos@127.0.0.1',
  'From-Address': '127.0.0.1',
  'From-IP': '127.0.0.1',
  'Local-Port': '5061',
  'Call-ID': 'fuzz-call',
  CSeq: '1',
  'Branch-ID': '000001',
  'Teardown-Method': 'CANCEL',
};

/** The first message of a PROTOS case ("<length> <message>…"), placeholders filled. */
export function protosCase(bytes: string): string {
  const space = bytes.indexOf(' ');
  const message = bytes.slice(space + 1, space + 1 + Number(bytes.slice(0, space)));
  const split = message.indexOf('\r\n\r\n');
  const body =
    split < 0 ? '' : message.slice(split + 4).replace(/<([A-Z][\w-]*)>/g, (m, k: string) => protosFill[k] ?? m);
  const filled = message.replace(/<([A-Z][\w-]*)>/g, (m, name: string) =>
    name === 'Content-Length' ? String(Buffer.byteLength(body, 'latin1')) : (protosFill[name] ?? m),
  );
  return filled;
}

const inlineInvite = [
  'INVITE sip:alice@gw.example SIP/2.0',
  'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds;rport',
  'Max-Forwards: 70',
  'To: Alice <sip:alice@gw.example>',
  'From: "Bob B." <sip:bob@192.0.2.1>;tag=1928301774',
  'Call-ID: a84b4c76e66710',
  'CSeq: 314159 INVITE',
  'Contact: <sip:bob@192.0.2.1>',
  'Route: <sip:proxy.example;lr>',
  'Require: 100rel, timer',
  'Content-Type: application/sdp',
  'Content-Length: 0',
  '',
  '',
].join('\r\n');

/** Every PROTOS group's first case and every 40th case, plus RFC 4475 and the captured vectors. */
function sipSeeds(maxLength: number): string[] {
  const seeds = [inlineInvite];
  for (const file of filesIn(join(shared, 'corpus/sip/rfc4475'), '.dat')) seeds.push(readFileSync(file, 'latin1'));
  const protos = join(shared, 'corpus/sip/protos-c07');
  if (existsSync(join(protos, 'GROUPS.tsv'))) {
    const firsts = readFileSync(join(protos, 'GROUPS.tsv'), 'utf8')
      .split('\n')
      .slice(1)
      .map((line) => Number(line.split('\t')[1]))
      .filter(Number.isInteger);
    const cases = new Set([...firsts, ...Array.from({ length: 114 }, (_, i) => i * 40)]);
    for (const n of [...cases].sort((a, b) => a - b)) {
      const file = join(protos, String(n).padStart(7, '0'));
      if (existsSync(file)) seeds.push(protosCase(readFileSync(file, 'latin1')));
    }
  }
  for (const file of filesIn(join(shared, 'vectors'), '.txt')) {
    const text = readFileSync(file, 'latin1').replace(/^#[^\n]*\n/, '');
    if (/^[A-Z]+ \S+ SIP\/2\.0|^SIP\/2\.0/.test(text)) seeds.push(text.replace(/\r?\n/g, '\r\n'));
  }
  return seeds.map((s) => s.slice(0, maxLength));
}

/** The sanity check `sip` makes before handing a datagram to the stack (sip.js `checkMessage`). */
function libraryAccepts(m: SipLibMessage): boolean {
  const h = m.headers;
  return Boolean(
    (m.method !== undefined || (m.status !== undefined && m.status >= 100 && m.status <= 999)) &&
    Array.isArray(h.via) &&
    h.via.length > 0 &&
    h['call-id'] &&
    h.to &&
    h.from &&
    h.cseq,
  );
}

const knownMethods = new Set(['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'INFO', 'UPDATE', 'REGISTER']);

export function sipTarget(maxLength = defaultSipLimits.maxMessageBytes + 64): FuzzTarget {
  // Only makeResponse is used: it builds the response the stack sends, no socket is opened.
  const stack = createSipStack({ listen: [] });
  return {
    name: 'sip',
    seeds: sipSeeds(maxLength),
    tokens: sipTokens,
    lines: sipLines,
    maxLength,
    charset: 'latin1',
    run(input, timed) {
      // One datagram as the stack handles it is one timed call.
      return timed(() => sipDatagram(input, stack));
    },
    expected: () => undefined,
  };
}

function sipDatagram(input: string, stack: SipPort): string {
  // stack-sockets.ts: every datagram is screened (limits, framing) before `sip` sees it.
  const verdict = screenDatagram(input, defaultSipLimits);
  if (verdict.action === 'reject') return `screen reject ${verdict.status}`;
  if (verdict.action === 'discard') return 'screen discard';
  // sip.js makeUdpTransport: parseMessage(datagram), then checkMessage.
  const parsed = sip.parse(Buffer.from(input, 'latin1'));
  if (parsed === undefined) return 'unparsed';
  if (!libraryAccepts(parsed)) return 'discarded';
  const message = messageFromWire(parsed);
  if (!isSipRequest(message)) return `response ${Math.floor((message.status || 0) / 100)}xx`;
  const { headers } = message;
  optionTags(headers, 'Require');
  optionTags(headers, 'Supported');
  optionTags(headers, 'Proxy-Require');
  maxForwardsOf(headers);
  tagOf(headers.to);
  tagOf(headers.from);
  displayName(headers.from.name);
  uriUser(message.uri);
  for (const route of headers.route ?? []) isLooseRouter(route.uri);
  const hop = nextHopOf(message);
  // Every request not handled gets an answer built from its own headers (stack.ts receive).
  const response = stack.makeResponse(message, 400);
  sip.stringify(messageToWire(response));
  const method = knownMethods.has(message.method) ? message.method : 'other';
  return `ok ${method} ${hop === undefined ? 'no-hop' : hop.transport}`;
}

// --- SDP → model -----------------------------------------------------------------------------

/** XML 1.0 §2.2 Char: no C0 controls but tab/CR/LF, no U+FFFE/U+FFFF, no lone surrogates. */
const notXmlChar =
  // eslint-disable-next-line no-control-regex -- control characters are what is looked for
  /[\0-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/u;
/** What would end or split an SDP line [RFC 8866 §5]. */
const lineBreaking = /[\0\r\n]/;

/** Every string in `value` (a model object) checked with `bad`; `where` names the first offender. */
function checkStrings(value: unknown, bad: RegExp, what: string, path = 'session'): void {
  if (typeof value === 'string') {
    if (bad.test(value)) throw new FuzzInvariantError(`${what} at ${path}: ${JSON.stringify(value.slice(0, 40))}`);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => {
      checkStrings(v, bad, what, `${path}[${i}]`);
    });
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, v] of Object.entries(value)) checkStrings(v, bad, what, `${path}.${key}`);
  }
}

/** The stanza the gateway would send must be XML it can read back (spec: model → Jingle). */
function checkXmlOut(session: MediaSession, action: 'session-initiate' | 'session-accept'): void {
  checkStrings(session, notXmlChar, 'character not allowed in XML');
  const xml = buildJingle({ action, sid: 'fuzz', initiator: 'a@example.com/r', session }).toString();
  try {
    parseXmlElement(xml, { maxBytes: Infinity });
  } catch (err) {
    throw new FuzzInvariantError(`built Jingle does not parse back: ${(err as Error).message}`);
  }
}

const goldenDir = join(root, 'test/golden');

function goldenOffer(name: string, options = translateOptions()): JingleOffer {
  const text = readFileSync(join(goldenDir, `${name}.jingle.xml`), 'utf8');
  const request = parseJingle(findJingle(parseXmlElement(text)));
  return jingleOfferToSdp(requireMediaSession(request.session), options, sequentialIdSource(), {
    sessionId: '1',
    sessionVersion: 1,
    address: '192.0.2.1',
  });
}

function sdpSeeds(maxLength: number): string[] {
  const seeds = filesIn(goldenDir, '.sdp').map((file) => readFileSync(file, 'utf8'));
  for (const file of filesIn(join(shared, 'vectors'), '.txt')) seeds.push(readSdpInput(readFileSync(file, 'utf8')).sdp);
  return seeds.map((s) => s.slice(0, maxLength));
}

const fixedOrigin = { sessionId: '1', sessionVersion: 1, address: '192.0.2.1' };
const calleeFingerprint = { hash: 'sha-256' as const, value: Array<string>(32).fill('AB').join(':') };

/** A session-accept taking every offered content; DTLS contents answered `active`. */
function calleeAccept(session: MediaSession): MediaSession {
  return {
    groups: session.groups,
    contents: session.contents.map((content) => {
      const security = content.security;
      if (security === undefined) return content;
      return {
        ...content,
        security:
          security.kind === 'dtls'
            ? { kind: 'dtls', fingerprints: [calleeFingerprint], setup: 'active' }
            : { kind: 'xtls', fingerprints: [calleeFingerprint], methods: ['x509'] },
      };
    }),
  };
}

/** The SDP the gateway sends must be SDP it can read back, with one m= line per offered one. */
function checkSdpOut(sdp: string, mediaCount: number): void {
  let parsed;
  try {
    parsed = parseSdp(sdp);
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err;
    throw new FuzzInvariantError(`the SDP the gateway wrote does not parse back: ${err.message}`);
  }
  if (parsed.media.length !== mediaCount) {
    throw new FuzzInvariantError(`the SDP has ${parsed.media.length} m-lines for ${mediaCount}`);
  }
}

export function sdpTarget(maxLength = 16 * 1024): FuzzTarget {
  const options = translateOptions();
  const offers = [goldenOffer('j1-xep0320-ice'), goldenOffer('j2-founding-xtls')];
  return {
    name: 'sdp',
    seeds: sdpSeeds(maxLength),
    tokens: sdpTokens,
    lines: sdpLines,
    maxLength,
    charset: 'unicode',
    run(input, timed) {
      const parsed = timed(() => parseSdp(input));
      let label = `parsed ${Math.min(parsed.media.length, 3)}`;
      for (const offer of offers) {
        const early = timed(() => sdpEarlyAnswerToJingle(input, offer, sequentialIdSource()));
        if (early !== undefined) checkXmlOut(early, 'session-accept');
        try {
          const answer = timed(() => sdpAnswerToJingle(input, offer, options, sequentialIdSource()));
          checkXmlOut(answer.session, 'session-accept');
          label += ' answer';
        } catch (err) {
          if (!(err instanceof GatewayError)) throw err;
          label += ` answer:${err.code}`;
        }
      }
      const inspected = timed(() => inspectSdpOffer(input));
      for (const mechanism of ['dtls', 'xtls', 'none'] as const) {
        try {
          const offer = timed(() => sdpOfferToJingle(inspected, mechanism, sequentialIdSource()));
          checkXmlOut(offer.session, 'session-initiate');
          label += ` ${mechanism}`;
          // The callee accepts what it was offered, as the active DTLS side: the SDP answer.
          const answer = timed(() =>
            jingleAnswerToSdp(calleeAccept(offer.session), offer, options, sequentialIdSource(), fixedOrigin),
          );
          checkSdpOut(answer, offer.media.length);
          label += '+answer';
        } catch (err) {
          if (!(err instanceof GatewayError)) throw err;
          label += ` ${mechanism}:${err.code}`;
        }
      }
      return `ok ${label}`;
    },
    expected: gatewayError,
  };
}

// --- Jingle → model --------------------------------------------------------------------------

export function jingleTarget(maxLength = 64 * 1024): FuzzTarget {
  const variants = [translateOptions(), translateOptions({ dtlsOffer: 'capneg', xtlsOffer: 'direct' })];
  const seeds = filesIn(goldenDir, '.jingle.xml').map((file) => readFileSync(file, 'utf8'));
  seeds.push(`<iq xmlns='jabber:component:accept' type='set' id='1' to='a@b' from='c@d/e'>${seeds[0] ?? ''}</iq>`);
  return {
    name: 'jingle',
    seeds: seeds.map((s) => s.slice(0, maxLength)),
    tokens: jingleTokens,
    lines: jingleLines,
    maxLength,
    charset: 'unicode',
    run(input, timed) {
      // Reading one stanza is one call, each translation of it another.
      const request = timed(() => parseJingle(findJingle(parseXmlElement(input))));
      const session = requireMediaSession(request.session);
      checkStrings(session, lineBreaking, 'line break or NUL would end an SDP line');
      let label = `ok ${request.action}`;
      for (const options of variants) {
        const offer = timed(() =>
          jingleOfferToSdp(session, options, sequentialIdSource(), {
            sessionId: '1',
            sessionVersion: 1,
            address: '0.0.0.0',
          }),
        );
        checkSdpOut(offer.sdp, session.contents.length);
        label += ' sdp';
      }
      return label;
    },
    expected: gatewayError,
  };
}

export const targetFactories = { sip: sipTarget, sdp: sdpTarget, jingle: jingleTarget } as const;
export type TargetName = keyof typeof targetFactories;
