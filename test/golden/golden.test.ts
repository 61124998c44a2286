/**
 * One runner for every golden pair in this folder: `<case>.jingle.xml` ⇄ `<case>.sdp`, driven
 * by `<case>.json`:
 *
 *   flow "xmpp-offer"        session-initiate → SDP offer      (both: the SDP back → the same Jingle)
 *   flow "sip-offer"         SDP offer → session-initiate      (both: the Jingle back → the same SDP)
 *   flow "xmpp-call-answer"  SDP answer to case `offer` → session-accept (+ `<case>.second.sdp`)
 *   flow "sip-call-answer"   session-accept to case `offer` → SDP answer
 *   "error": code            the input is rejected with that GatewayError code
 *
 * Ids are sequential and o= is fixed, so outputs are exact. `UPDATE_GOLDEN=1` rewrites the
 * expected files from the current output (review the diff before committing).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Element } from '@xmpp/component';
import { GatewayError } from '../../src/mapping/errors.ts';
import { sequentialIdSource, type IdSource } from '../../src/mapping/ids.ts';
import { buildJingle, parseJingle, requireMediaSession } from '../../src/mapping/jingle/jingle.ts';
import { findJingle, parseXmlElement } from '../../src/mapping/jingle/xml.ts';
import type { MediaSession } from '../../src/mapping/model.ts';
import { jingleAnswerToSdp } from '../../src/mapping/translate/jingle-answer.ts';
import { jingleOfferToSdp, type JingleOffer } from '../../src/mapping/translate/jingle-offer.ts';
import { translateOptions, type TranslateOptions } from '../../src/mapping/translate/options.ts';
import { sdpAnswerToJingle } from '../../src/mapping/translate/sdp-answer.ts';
import {
  inspectSdpOffer,
  sdpOfferToJingle,
  type SecurityMechanism,
  type SipOffer,
} from '../../src/mapping/translate/sdp-offer.ts';
import { readSdpInput } from '../../src/cli/sip-input.ts';
import { canonicalXml } from '../helpers/xml-equal.ts';

const dir = new URL('.', import.meta.url).pathname;
const update = process.env.UPDATE_GOLDEN === '1';

interface GoldenCase {
  flow: 'xmpp-offer' | 'sip-offer' | 'xmpp-call-answer' | 'sip-call-answer';
  both?: boolean;
  options?: Partial<TranslateOptions>;
  mechanism?: SecurityMechanism;
  offer?: string;
  error?: string;
  note?: string;
  /** The SDP input comes from a capture in ../shared/vectors (path from the project root), not `<case>.sdp`. */
  sdpFrom?: string;
}

const root = new URL('../../', import.meta.url).pathname;
const origin = (ids: IdSource) => ({ sessionId: ids.sessionId(), sessionVersion: 1, address: '198.51.100.7' });
const read = (name: string): string => readFileSync(join(dir, name), 'utf8');
const meta = (name: string): GoldenCase => JSON.parse(read(`${name}.json`)) as GoldenCase;
/** The case's SDP input: `<case>.sdp`, or a captured SIP message whose body is the SDP. */
const sdpInput = (name: string): string => {
  const from = meta(name).sdpFrom;
  return from === undefined ? read(`${name}.sdp`) : readSdpInput(readFileSync(join(root, from), 'utf8')).sdp;
};
const jingleOf = (text: string) => parseJingle(findJingle(parseXmlElement(text)));

function mechanismOf(session: MediaSession): SecurityMechanism {
  const kinds = session.contents.map((c) => c.security?.kind);
  return kinds.includes('xtls') ? 'xtls' : kinds.includes('dtls') ? 'dtls' : 'none';
}

function xmppOffer(name: string, ids: IdSource): JingleOffer {
  const c = meta(name);
  const session = requireMediaSession(jingleOf(read(`${name}.jingle.xml`)).session);
  return jingleOfferToSdp(session, translateOptions(c.options), ids, origin(ids));
}

function sipOffer(name: string, ids: IdSource): SipOffer {
  const c = meta(name);
  return sdpOfferToJingle(inspectSdpOffer(sdpInput(name)), c.mechanism ?? 'dtls', ids);
}

/** Builds the Jingle element for a computed session, copying envelope attributes from the expected file. */
function envelope(expectedFile: string, session: MediaSession): Element {
  const expected = findJingle(parseXmlElement(read(expectedFile)));
  const a = expected.attrs;
  return buildJingle({
    action: a.action as 'session-initiate',
    sid: a.sid!,
    ...(a.initiator !== undefined ? { initiator: a.initiator } : {}),
    ...(a.responder !== undefined ? { responder: a.responder } : {}),
    session,
  });
}

function checkSdp(actual: string, file: string): void {
  if (update) writeFileSync(join(dir, file), actual);
  assert.equal(actual, read(file), `${file} differs`);
}

function checkJingle(actual: Element, file: string): void {
  if (update) {
    const current = read(file);
    // Keep hand-written files; only rewrite when the canonical forms differ.
    if (canonicalXml(parseXmlElement(current)) !== canonicalXml(actual)) writeFileSync(join(dir, file), `${actual.toString()}\n`);
  }
  assert.equal(canonicalXml(actual), canonicalXml(parseXmlElement(read(file))), `${file} differs`);
}

function runCase(name: string, c: GoldenCase): void {
  const ids = sequentialIdSource();
  const options = translateOptions(c.options);
  switch (c.flow) {
    case 'xmpp-offer': {
      const offer = xmppOffer(name, ids);
      checkSdp(offer.sdp, `${name}.sdp`);
      if (c.both === true) {
        const back = sdpOfferToJingle(inspectSdpOffer(offer.sdp), mechanismOf(offer.session), sequentialIdSource());
        checkJingle(envelope(`${name}.jingle.xml`, back.session), `${name}.jingle.xml`);
      }
      return;
    }
    case 'sip-offer': {
      const offer = sipOffer(name, ids);
      checkJingle(envelope(`${name}.jingle.xml`, offer.session), `${name}.jingle.xml`);
      if (c.both === true) {
        const back = sequentialIdSource();
        checkSdp(jingleOfferToSdp(offer.session, options, back, origin(back)).sdp, `${name}.sdp`);
      }
      return;
    }
    case 'xmpp-call-answer': {
      const offer = xmppOffer(c.offer!, ids);
      const result = sdpAnswerToJingle(sdpInput(name), offer, options, ids);
      const accepted = { ...result.session, contents: result.session.contents.filter((x) => x.rejected !== true) };
      checkJingle(envelope(`${name}.jingle.xml`, accepted), `${name}.jingle.xml`);
      const secondFile = `${name}.second.sdp`;
      if (result.secondOffer) checkSdp(result.secondOffer.sdp, secondFile);
      else assert.ok(!existsSync(join(dir, secondFile)), `${secondFile} exists but no second offer was made`);
      return;
    }
    case 'sip-call-answer': {
      const offer = sipOffer(c.offer!, ids);
      const accept = requireMediaSession(jingleOf(read(`${name}.jingle.xml`)).session);
      checkSdp(jingleAnswerToSdp(accept, offer, options, ids, origin(ids)), `${name}.sdp`);
      return;
    }
  }
}

function runErrorCase(name: string, c: GoldenCase): void {
  const ids = sequentialIdSource();
  const attempt = (): unknown => {
    switch (c.flow) {
      case 'xmpp-offer':
        return xmppOffer(name, ids);
      case 'sip-offer':
        return sipOffer(name, ids);
      case 'xmpp-call-answer':
        return sdpAnswerToJingle(sdpInput(name), xmppOffer(c.offer!, ids), translateOptions(c.options), ids);
      case 'sip-call-answer': {
        const offer = sipOffer(c.offer!, ids);
        const accept = requireMediaSession(jingleOf(read(`${name}.jingle.xml`)).session);
        return jingleAnswerToSdp(accept, offer, translateOptions(c.options), ids, origin(ids));
      }
    }
  };
  assert.throws(attempt, (err: unknown) => err instanceof GatewayError && err.code === c.error);
}

const cases = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.slice(0, -'.json'.length))
  .sort();

describe('golden Jingle ⇄ SDP pairs', () => {
  it('has cases', () => {
    assert.ok(cases.length >= 30, `only ${cases.length} golden cases`);
  });
  for (const name of cases) {
    const c = meta(name);
    it(`${name}${c.note !== undefined ? ` — ${c.note}` : ''}`, () => {
      if (c.error !== undefined) runErrorCase(name, c);
      else runCase(name, c);
    });
  }
});
