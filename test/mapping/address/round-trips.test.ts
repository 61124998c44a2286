// Spec §7: seeded round-trip properties of the address mapping — XEP-0106 escaping, pct(), and
// the two inverse pairs §7.5 ⇄ §7.2 and §7.3 ⇄ §7.4 — over strings with E.164 numbers, quotes,
// inner spaces, non-ASCII (ü, 漢, emoji), %, \, &, ', / and :.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  calleeJidFromRequestUri,
  calleeUriFromJid,
  callerIdentityForJid,
  callerJidFromFromUri,
  escapeJidCharacters,
  escapeLocal,
  parseJid,
  pct,
  pctDecode,
  unescapeLocal,
} from '../../../src/mapping/address.ts';
import type { AddressConfig } from '../../../src/mapping/address.ts';

// §8.1 configuration.
const cfg: AddressConfig = { xmppDomain: 'gw.example', sipDomain: 'sip.gw.example' };

/** xorshift32: deterministic, so a failure names a reproducible case. */
function randomSource(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state = (state ^ (state << 13)) >>> 0;
    state = (state ^ (state >>> 17)) >>> 0;
    state = (state ^ (state << 5)) >>> 0;
    return state / 2 ** 32;
  };
}

const FRAGMENTS = [
  ...['a', 'b', 'Z', '0', '7', '+15551234567', '+442071838750', '.', '-', '_', '~', '=', ';', '?', '#', '(', '!'],
  ...['"', ' ', "'", '&', '/', ':', '@', '<', '>', '%', '%41', '[', ']', ',', '$', '*'],
  ...['\\', '\\27', '\\5c', '\\20', '\\2', '\\2F', '\\40'],
  ...['ü', 'é', 'ß', '漢', '字', '😀', '🇫🇷'],
];

/** A foreign address: any fragment mix, but never starting or ending with a space. */
function foreignAddress(random: () => number): string {
  let out = '';
  const count = 1 + Math.floor(random() * 10);
  for (let i = 0; i < count; i++) out += FRAGMENTS[Math.floor(random() * FRAGMENTS.length)]!;
  // XEP-0106 forbids \20 at either end of a local part [X106 §4.1], so those strings cannot
  // round-trip by design; the example tests cover their rejection.
  if (out.startsWith(' ')) out = `x${out}`;
  if (out.endsWith(' ')) out = `${out}y`;
  return out;
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

const CASES = 600;

describe('round trips (seeded, 600 cases each)', () => {
  it('unescapeLocal ∘ escapeLocal = identity', () => {
    const random = randomSource(0x106);
    for (let i = 0; i < CASES; i++) {
      const raw = foreignAddress(random);
      const escaped = escapeLocal(raw);
      assert.equal(unescapeLocal(escaped), raw, `case ${i}: ${raw}`);
      assert.equal(parseJid(`${escaped}@gw.example`).local, escaped, `case ${i}: ${raw}`);
      // Without the validity checks the transformation is total: spaces at the ends round-trip too.
      assert.equal(unescapeLocal(escapeJidCharacters(` ${raw}\t`)), ` ${raw}\t`, `case ${i}: ${raw}`);
    }
  });

  it('pctDecode ∘ pct = identity, and pct output is a valid user part', () => {
    const random = randomSource(0x3261);
    for (let i = 0; i < CASES; i++) {
      const raw = ` ${foreignAddress(random)}\t`;
      const encoded = pct(raw);
      assert.match(encoded, /^(?:[A-Za-z0-9\-_.!~*'()&=+$,;?/]|%[0-9A-F]{2})+$/, `case ${i}: ${raw}`);
      assert.equal(pctDecode(encoded), raw, `case ${i}: ${raw}`);
      assert.equal(pctDecode(encoded.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase())), raw, `case ${i}: ${raw}`);
    }
  });

  it('§7.5 ⇄ §7.2: calling a caller’s SIP URI reaches the bare JID again', () => {
    const random = randomSource(0x75);
    // Domains as written: §7.2 keeps case, so mixed case would also round-trip; these cover
    // IDN labels and address literals.
    const domains = ['montague.lit', 'capulet.lit', 'xmpp.example', 'münchen.example', '192.0.2.7', '[2001:db8::1]'];
    for (let i = 0; i < CASES; i++) {
      const bare = `${escapeLocal(foreignAddress(random))}@${pick(random, domains)}`;
      const full = random() < 0.5 ? bare : `${bare}/${foreignAddress(random)}`;
      const identity = callerIdentityForJid(full, cfg);
      assert.equal(identity.displayName, bare, `case ${i}: ${full}`);
      const quoted = `"${bare.replace(/["\\]/g, (char) => `\\${char}`)}"`;
      assert.equal(identity.fromHeaderValue, `${quoted} <${identity.uri}>`, `case ${i}: ${full}`);
      assert.deepEqual(calleeJidFromRequestUri(identity.uri, cfg), { jid: bare, bare: true }, `case ${i}: ${full}`);
    }
  });

  it('§7.3 ⇄ §7.4: a From URI’s caller JID called back gives the same URI', () => {
    const random = randomSource(0x73);
    // Lowercase hosts without port only: §7.3 lowercases the host and drops the port, and a
    // URI is only reproduced when its user part is in pct()'s canonical form. A From without
    // user part maps to a local part without `@`, which §7.4 sends to sip.defaultDomain instead.
    const hosts = ['pbx.example.org', 'sip.example', 'a-1.example.net.', '192.0.2.1', '[2001:db8::5060]'];
    for (let i = 0; i < CASES; i++) {
      const uri = `sip:${pct(foreignAddress(random))}@${pick(random, hosts)}`;
      const caller = callerJidFromFromUri(uri, cfg);
      assert.ok(caller.endsWith('@gw.example/sip'), `case ${i}: ${caller}`);
      assert.equal(calleeUriFromJid(caller, cfg), uri, `case ${i}: ${uri}`);
    }
  });
});
