/**
 * Shared fixtures for the Jingle codec tests: the §8.1 fingerprints and J1/J2 stanzas, and small
 * builders for stanzas that differ from them in one place.
 */
import assert from 'node:assert/strict';
import { GatewayError, type ErrorCode } from '../../src/mapping/errors.ts';
import { parseJingle, type JingleRequest } from '../../src/mapping/jingle/jingle.ts';
import { findJingle, parseXmlElement } from '../../src/mapping/jingle/xml.ts';

export const FP256 = '02:1A:CC:54:27:AB:EB:9C:53:3F:3E:4B:65:2E:7D:46:3F:54:42:CD:54:F1:7A:03:A2:7D:F9:B0:7F:46:19:B2';
export const FP256B = 'BD:E8:2C:D3:BD:B6:98:50:45:7D:5B:36:89:53:31:15:52:25:88:82:06:95:88:A3:3D:A5:43:8D:5C:21:21:66';
export const FP1 = '4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB';
/** 16 bytes: the md2/md5 size. */
export const FP16 = '00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF';

export const RTP_PCMU = `<description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'>
  <payload-type id='0' name='PCMU' clockrate='8000'/>
</description>`;

export const J1_CANDIDATE = `<candidate component='1' foundation='1' generation='0' id='el0747fg11' ip='10.0.1.1'
  network='1' port='8998' priority='2130706431' protocol='udp' type='host'/>`;

export function dtlsFingerprint(attrs = `hash='sha-256' setup='actpass'`, text = FP256): string {
  return `<fingerprint xmlns='urn:xmpp:jingle:apps:dtls:0' ${attrs}>${text}</fingerprint>`;
}

export function iceTransport(
  inner = `${dtlsFingerprint()}${J1_CANDIDATE}`,
  creds = `ufrag='8hhy' pwd='asd88fgpdd777uzjYhagZg'`,
): string {
  return `<transport xmlns='urn:xmpp:jingle:transports:ice-udp:1' ${creds}>${inner}</transport>`;
}

export const RAW_UDP_J2 = `<transport xmlns='urn:xmpp:jingle:transports:raw-udp:1'>
  <candidate component='1' generation='0' id='a9j3mnbtu1' ip='10.1.1.104' port='13540'/>
</transport>`;

export function content(inner: string, attrs = `creator='initiator' name='voice'`): string {
  return `<content ${attrs}>${inner}</content>`;
}

/** An IQ wrapping a `<jingle/>`; J1's addressing and sid by default. */
export function jingleIq(
  body: string,
  action = 'session-initiate',
  attrs = `initiator='romeo@montague.lit/orchard' sid='a73sjjvkla37jfea'`,
  ns = 'urn:xmpp:jingle:1',
): string {
  return `<iq from='romeo@montague.lit/orchard' to='alice\\40pbx.example.org@gw.example' id='jingle1' type='set'>
  <jingle xmlns='${ns}' action='${action}' ${attrs}>${body}</jingle>
</iq>`;
}

/** §8.1 J1: ICE-UDP, XEP-0320 sha-256 actpass. */
export const J1 = jingleIq(content(`${RTP_PCMU}${iceTransport()}`));

/** §8.1 J2: Raw UDP, XTLS fingerprint FP1 without algorithm, methods x509 and srp. */
export const J2 = jingleIq(
  content(`${RTP_PCMU}${RAW_UDP_J2}
  <security xmlns='urn:xmpp:jingle:security:xtls:0'>
    <fingerprint>${FP1}</fingerprint>
    <method name='x509'/>
    <method name='srp'/>
  </security>`),
);

export function parseText(text: string): JingleRequest {
  return parseJingle(findJingle(parseXmlElement(text)));
}

export function throwsCode(fn: () => unknown, code: ErrorCode, messagePart?: string): GatewayError {
  let caught: GatewayError | undefined;
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof GatewayError, `expected GatewayError ${code}, got ${String(err)}`);
    assert.equal(err.code, code, `message: ${err.message}`);
    if (messagePart !== undefined) assert.ok(err.message.includes(messagePart), err.message);
    caught = err;
    return true;
  });
  return caught!;
}
