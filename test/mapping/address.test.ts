// Spec §7 address mapping: every §7.6 example row, §8.2 assertions 114–122 (address parts) and
// the §7.1 character rules. The seeded round-trip properties are in address/round-trips.test.ts.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CALLER_UNMAPPABLE_TEXT,
  calleeJidFromRequestUri,
  calleeUriFromJid,
  callerIdentityForJid,
  callerJidFromFromUri,
  escapeLocal,
  hasSipScheme,
  isIPv6,
  parseHostport,
  parseJid,
  pct,
  pctDecode,
  responderJidForCallee,
  sipQuotedString,
  unescapeLocal,
} from '../../src/mapping/address.ts';
import type { AddressConfig } from '../../src/mapping/address.ts';
import { GatewayError } from '../../src/mapping/errors.ts';
import type { ErrorCode } from '../../src/mapping/errors.ts';

// §8.1 configuration.
const cfg: AddressConfig = { xmppDomain: 'gw.example', sipDomain: 'sip.gw.example' };

function errorOf(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof GatewayError, `expected a GatewayError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a GatewayError, nothing was thrown');
}

function throwsCode(fn: () => unknown, code: ErrorCode, message?: string): void {
  const err = errorOf(fn);
  assert.equal(err.code, code);
  if (message !== undefined) assert.equal(err.message, message);
}

describe('§7.6 From rows → caller JID (assertion 118)', () => {
  it('sip:alice@pbx.example.org → alice\\40pbx.example.org@gw.example/sip', () => {
    assert.equal(callerJidFromFromUri('sip:alice@pbx.example.org', cfg), 'alice\\40pbx.example.org@gw.example/sip');
  });
  it("sip:o'malley@sip.example → o\\27malley\\40sip.example@gw.example/sip", () => {
    assert.equal(callerJidFromFromUri("sip:o'malley@sip.example", cfg), 'o\\27malley\\40sip.example@gw.example/sip');
  });
  it('sip:f%C3%BC@sip.example → fü\\40sip.example@gw.example/sip', () => {
    assert.equal(callerJidFromFromUri('sip:f%C3%BC@sip.example', cfg), 'fü\\40sip.example@gw.example/sip');
  });
  it('sip:a%5C27b@sip.example (literal a\\27b) → a\\5c27b\\40sip.example@gw.example/sip', () => {
    assert.equal(callerJidFromFromUri('sip:a%5C27b@sip.example', cfg), 'a\\5c27b\\40sip.example@gw.example/sip');
  });
  it('sip:%20alice@sip.example → 403 with Warning 399 "caller address cannot be mapped to a JID"', () => {
    const err = errorOf(() => callerJidFromFromUri('sip:%20alice@sip.example', cfg));
    assert.equal(err.code, 'caller-unmappable');
    assert.equal(err.sipStatus, 403);
    assert.equal(err.sipWarning('sip.gw.example'), '399 sip.gw.example "caller address cannot be mapped to a JID"');
  });
});

describe('§7.6 Request-URI rows → callee JID (assertions 114, 115, 117)', () => {
  it('sip:juliet%40capulet.lit@sip.gw.example → bare juliet@capulet.lit → JMI (115)', () => {
    assert.deepEqual(calleeJidFromRequestUri('sip:juliet%40capulet.lit@sip.gw.example', cfg), {
      jid: 'juliet@capulet.lit',
      bare: true,
    });
  });
  it('sip:juliet%40capulet.lit%2Fbalcony@sip.gw.example → full juliet@capulet.lit/balcony, no JMI (114)', () => {
    assert.deepEqual(calleeJidFromRequestUri('sip:juliet%40capulet.lit%2Fbalcony@sip.gw.example', cfg), {
      jid: 'juliet@capulet.lit/balcony',
      bare: false,
    });
  });
  it('an unescaped / in the user part names the same full JID (§7.2)', () => {
    assert.deepEqual(calleeJidFromRequestUri('sip:juliet%40capulet.lit/balcony@sip.gw.example', cfg), {
      jid: 'juliet@capulet.lit/balcony',
      bare: false,
    });
  });
  it('sip:d%5C27artagnan%40musketeers.lit@sip.gw.example → d\\27artagnan@musketeers.lit', () => {
    assert.deepEqual(calleeJidFromRequestUri('sip:d%5C27artagnan%40musketeers.lit@sip.gw.example', cfg), {
      jid: 'd\\27artagnan@musketeers.lit',
      bare: true,
    });
  });
  it('sip:juliet@sip.gw.example with xmpp.defaultDomain = capulet.lit → juliet@capulet.lit (117)', () => {
    const withDefault = { ...cfg, xmppDefaultDomain: 'capulet.lit' };
    assert.deepEqual(calleeJidFromRequestUri('sip:juliet@sip.gw.example', withDefault), {
      jid: 'juliet@capulet.lit',
      bare: true,
    });
  });
  it('sip:juliet@sip.gw.example with xmpp.defaultDomain unset → 404 (117)', () => {
    throwsCode(() => calleeJidFromRequestUri('sip:juliet@sip.gw.example', cfg), 'callee-unmappable');
  });
});

describe('§7.6 to rows → Request-URI (assertion 119)', () => {
  it('alice\\40pbx.example.org@gw.example → sip:alice@pbx.example.org', () => {
    assert.equal(calleeUriFromJid('alice\\40pbx.example.org@gw.example', cfg), 'sip:alice@pbx.example.org');
  });
  it('m\\26m\\40xmpp.example@gw.example → sip:m&m@xmpp.example', () => {
    assert.equal(calleeUriFromJid('m\\26m\\40xmpp.example@gw.example', cfg), 'sip:m&m@xmpp.example');
  });
  it('tschüss\\40sip.example@gw.example → sip:tsch%C3%BCss@sip.example', () => {
    assert.equal(calleeUriFromJid('tschüss\\40sip.example@gw.example', cfg), 'sip:tsch%C3%BCss@sip.example');
  });
  it('cr%zy\\40sip.example@gw.example → sip:cr%25zy@sip.example', () => {
    assert.equal(calleeUriFromJid('cr%zy\\40sip.example@gw.example', cfg), 'sip:cr%25zy@sip.example');
  });
  it('+15551234567@gw.example with sip.defaultDomain = pstn.example.net → sip:+15551234567@pstn.example.net', () => {
    const withDefault = { ...cfg, sipDefaultDomain: 'pstn.example.net' };
    assert.equal(calleeUriFromJid('+15551234567@gw.example', withDefault), 'sip:+15551234567@pstn.example.net');
  });
  it('+15551234567@gw.example with sip.defaultDomain unset → IQ error item-not-found, no INVITE', () => {
    const err = errorOf(() => calleeUriFromJid('+15551234567@gw.example', cfg));
    assert.equal(err.code, 'callee-unmappable');
    assert.equal(err.xmppCondition, 'item-not-found');
  });
});

describe('§7.6 caller rows → From (assertion 120)', () => {
  it('romeo@montague.lit/orchard → From: "romeo@montague.lit" <sip:romeo%40montague.lit@sip.gw.example>', () => {
    const identity = callerIdentityForJid('romeo@montague.lit/orchard', cfg);
    assert.equal(
      `From: ${identity.fromHeaderValue}`,
      'From: "romeo@montague.lit" <sip:romeo%40montague.lit@sip.gw.example>',
    );
  });
  it('d\\27artagnan@musketeers.lit/x → the display name escapes the backslash', () => {
    const identity = callerIdentityForJid('d\\27artagnan@musketeers.lit/x', cfg);
    assert.equal(
      `From: ${identity.fromHeaderValue}`,
      'From: "d\\\\27artagnan@musketeers.lit" <sip:d%5C27artagnan%40musketeers.lit@sip.gw.example>',
    );
  });
  it('120: J1 caller → From; an INVITE to that URI proposes to bare romeo@montague.lit', () => {
    const identity = callerIdentityForJid('romeo@montague.lit/orchard', cfg);
    assert.deepEqual(identity, {
      displayName: 'romeo@montague.lit',
      user: 'romeo%40montague.lit',
      uri: 'sip:romeo%40montague.lit@sip.gw.example',
      fromHeaderValue: '"romeo@montague.lit" <sip:romeo%40montague.lit@sip.gw.example>',
    });
    assert.deepEqual(calleeJidFromRequestUri(identity.uri, cfg), { jid: 'romeo@montague.lit', bare: true });
  });
});

describe('§7.2 callee from the Request-URI: errors and syntax', () => {
  it('122: a Request-URI decoding to a JID in gw.example → 404', () => {
    for (const uri of [
      'sip:alice%5C40pbx.example.org%40gw.example@sip.gw.example',
      'sip:alice%5C40pbx.example.org%40GW.Example@sip.gw.example',
      'sip:alice%5C40pbx.example.org%40gw.example.%2Fsip@sip.gw.example',
    ]) {
      throwsCode(() => calleeJidFromRequestUri(uri, cfg), 'callee-unmappable');
    }
    throwsCode(
      () => calleeJidFromRequestUri('sip:juliet@sip.gw.example', { ...cfg, xmppDefaultDomain: 'gw.example' }),
      'callee-unmappable',
    );
  });
  it('tel:, other schemes and scheme-less text → 416', () => {
    for (const uri of ['tel:+15551234567', 'mailto:juliet@capulet.lit', 'juliet@capulet.lit', 'sipx:a@b']) {
      throwsCode(() => calleeJidFromRequestUri(uri, cfg), 'unsupported-uri-scheme');
    }
    assert.equal(new GatewayError('unsupported-uri-scheme', 'x').sipStatus, 416);
    assert.equal(hasSipScheme('tel:+15551234567'), false);
    assert.equal(hasSipScheme('SIPS:a@b'), true);
  });
  it('sips: and an upper-case scheme are accepted; password, port, parameters and headers are ignored', () => {
    const uri = 'SIPS:juliet%40capulet.lit:pw@sip.gw.example:5061;transport=tls?subject=hi';
    assert.deepEqual(calleeJidFromRequestUri(uri, cfg), { jid: 'juliet@capulet.lit', bare: true });
  });
  it('no or an empty user part → 404', () => {
    throwsCode(() => calleeJidFromRequestUri('sip:sip.gw.example', cfg), 'callee-unmappable');
    throwsCode(() => calleeJidFromRequestUri('sip:@sip.gw.example', cfg), 'callee-unmappable');
  });
  it('bad percent-encoding or non-UTF-8 bytes → 404', () => {
    for (const user of ['juliet%4', 'juliet%G0', '%C3%28', '%C0%AF', '%ED%A0%80', '%C3']) {
      throwsCode(() => calleeJidFromRequestUri(`sip:${user}%40capulet.lit@sip.gw.example`, cfg), 'callee-unmappable');
    }
  });
  it('invalid JIDs → 404', () => {
    for (const user of [
      'juliet%40', // empty domain
      '%40capulet.lit', // empty local part
      'juliet%40capulet.lit%2F', // empty resource
      'jul%20iet%40capulet.lit', // space in the local part
      'a%3Ab%40capulet.lit', // colon in the local part
      'jul%00iet%40capulet.lit', // control character
      'juliet%40capu%20let.lit',
      'juliet%40a%40b',
      'juliet%40%5B2001%3Adb8%3A%3Azz%5D',
    ]) {
      throwsCode(() => calleeJidFromRequestUri(`sip:${user}@sip.gw.example`, cfg), 'callee-unmappable');
    }
  });
  it('a domain-only JID, an IPv6 literal domain and a resource with spaces are valid', () => {
    const at = (user: string) => calleeJidFromRequestUri(`sip:${user}@sip.gw.example`, cfg);
    assert.deepEqual(at('juliet%40%5B2001%3Adb8%3A%3A1%5D'), { jid: 'juliet@[2001:db8::1]', bare: true });
    assert.deepEqual(at('juliet%40capulet.lit/my%20phone'), { jid: 'juliet@capulet.lit/my phone', bare: false });
    assert.deepEqual(at('juliet%40capulet.lit.'), { jid: 'juliet@capulet.lit', bare: true });
  });
  it('with xmpp.defaultDomain, a user part that is not a local part by itself → 404', () => {
    const withDefault = { ...cfg, xmppDefaultDomain: 'capulet.lit' };
    for (const user of ['juliet%2Fbalcony', 'a%3Ab', 'a%20b']) {
      throwsCode(() => calleeJidFromRequestUri(`sip:${user}@sip.gw.example`, withDefault), 'callee-unmappable');
    }
    assert.deepEqual(calleeJidFromRequestUri('sip:+15551234567@sip.gw.example', withDefault), {
      jid: '+15551234567@capulet.lit',
      bare: true,
    });
  });
});

describe('§7.3 caller JID from the From URI: details', () => {
  it('lowercases the host, keeps the user case, drops password, port and parameters', () => {
    const uri = 'sips:Alice:secret@PBX.Example.ORG:5061;transport=tls';
    assert.equal(callerJidFromFromUri(uri, cfg), 'Alice\\40pbx.example.org@gw.example/sip');
  });
  it('only the whole local part may not start or end with \\20: a user ending in a space is fine', () => {
    assert.equal(callerJidFromFromUri('sip:alice%20@sip.example', cfg), 'alice\\20\\40sip.example@gw.example/sip');
  });
  it('a URI without user part maps to just the host', () => {
    assert.equal(callerJidFromFromUri('sip:pbx.example.org', cfg), 'pbx.example.org@gw.example/sip');
  });
  it('an IPv6 host is lowercased and its colons escaped', () => {
    assert.equal(
      callerJidFromFromUri('sip:alice@[2001:DB8::1]:5060', cfg),
      'alice\\40[2001\\3adb8\\3a\\3a1]@gw.example/sip',
    );
  });
  it('unmappable From URIs → 403 with the §7.3 text', () => {
    for (const uri of [
      'sip:alice%09x@sip.example', // tab: XEP-0106 has no escape for it
      'sip:a%00b@sip.example',
      'sip:a%C3@sip.example',
      'sip:@sip.example',
      'sip:alice@',
      'sip:alice@bad host',
      'tel:+15551234567',
    ]) {
      throwsCode(() => callerJidFromFromUri(uri, cfg), 'caller-unmappable', CALLER_UNMAPPABLE_TEXT);
    }
  });
  it('the escaped local part may have 1023 octets, not 1024', () => {
    // escape('a'×n + '@h') = 'a'×n + '\40h': n + 4 octets.
    assert.equal(callerJidFromFromUri(`sip:${'a'.repeat(1019)}@h`, cfg), `${'a'.repeat(1019)}\\40h@gw.example/sip`);
    throwsCode(() => callerJidFromFromUri(`sip:${'a'.repeat(1020)}@h`, cfg), 'caller-unmappable');
    // ü is two octets: 509 × 2 + 1 + 4 = 1023.
    assert.ok(callerJidFromFromUri(`sip:${'%C3%BC'.repeat(509)}a@h`, cfg).startsWith('üü'));
    throwsCode(() => callerJidFromFromUri(`sip:${'%C3%BC'.repeat(510)}@h`, cfg), 'caller-unmappable');
  });
});

describe('§7.4 callee URI from the Jingle to: details', () => {
  const uriFor = (to: string) => calleeUriFromJid(to, cfg);
  it('ignores the resource and compares the domain case-insensitively', () => {
    assert.equal(uriFor('alice\\40pbx.example.org@GW.Example/sip'), 'sip:alice@pbx.example.org');
  });
  it('splits at the last @ and keeps a port', () => {
    assert.equal(uriFor('a\\40b\\40pbx.example.org@gw.example'), 'sip:a%40b@pbx.example.org');
    assert.equal(uriFor('alice\\40pbx.example.org\\3a5070@gw.example'), 'sip:alice@pbx.example.org:5070');
    assert.equal(uriFor('alice\\40[2001\\3adb8\\3a\\3a1]\\3a5060@gw.example'), 'sip:alice@[2001:db8::1]:5060');
    assert.equal(uriFor('bob\\40192.0.2.10@gw.example'), 'sip:bob@192.0.2.10');
  });
  it('item-not-found for a JID outside xmpp.domain, without local part, or not a JID', () => {
    for (const to of ['alice\\40pbx.example.org@other.example', 'gw.example', '@gw.example', 'a b@gw.example']) {
      throwsCode(() => uriFor(to), 'callee-unmappable');
    }
  });
  it('item-not-found for an empty user, an invalid hostport or sip.domain itself', () => {
    for (const local of [
      '\\40pbx.example.org',
      'alice\\40',
      'alice\\40bad\\20host',
      'alice\\40pbx.example.org\\3a99999',
      'alice\\40[zz]',
      'alice\\401.2.3.999',
      'alice\\40host\\3ex',
      'alice\\40bücher.example',
      'alice\\40sip.gw.example',
      'alice\\40SIP.GW.EXAMPLE.\\3a5060',
    ]) {
      throwsCode(() => uriFor(`${local}@gw.example`), 'callee-unmappable');
    }
  });
  it('responder: the addressed to, with resource sip when bare (step 5)', () => {
    assert.equal(
      responderJidForCallee('alice\\40pbx.example.org@gw.example'),
      'alice\\40pbx.example.org@gw.example/sip',
    );
    assert.equal(
      responderJidForCallee('alice\\40pbx.example.org@gw.example/x'),
      'alice\\40pbx.example.org@gw.example/x',
    );
  });
});

describe('§7.5 caller identity: details', () => {
  it('escapes \\ in the display name, and " in any quoted-string', () => {
    // A bare JID cannot hold a raw " (RFC 7622 §3.3.1, §3.2); only the dropped resource can.
    assert.equal(sipQuotedString('say "hi" \\o/'), '"say \\"hi\\" \\\\o/"');
    const identity = callerIdentityForJid('a\\5c\\22b@x.example/"q"', cfg);
    assert.equal(identity.fromHeaderValue, '"a\\\\5c\\\\22b@x.example" <sip:a%5C5c%5C22b%40x.example@sip.gw.example>');
  });
  it('refuses a domain-only JID (its URI would not call it back)', () => {
    throwsCode(() => callerIdentityForJid('conference.example/x', cfg), 'caller-unmappable');
  });
});

describe('§7.1 character rules', () => {
  it('escapes the XEP-0106 §5 examples', () => {
    const cases: [string, string][] = [
      ['space cadet', 'space\\20cadet'],
      ['call me "ishmael"', 'call\\20me\\20\\22ishmael\\22'],
      ['at&t guy', 'at\\26t\\20guy'],
      ["d'artagnan", 'd\\27artagnan'],
      ['/.fanboy', '\\2f.fanboy'],
      ['::foo::', '\\3a\\3afoo\\3a\\3a'],
      ['<foo>', '\\3cfoo\\3e'],
      ['user@host', 'user\\40host'],
      ['c:\\net', 'c\\3a\\net'],
      ['c:\\\\net', 'c\\3a\\\\net'],
      ['c:\\cool stuff', 'c\\3a\\cool\\20stuff'],
      ['c:\\5commas', 'c\\3a\\5c5commas'],
    ];
    for (const [raw, escaped] of cases) {
      assert.equal(escapeLocal(raw), escaped, raw);
      assert.equal(unescapeLocal(escaped), raw, escaped);
    }
  });
  it('only a backslash that starts one of the ten sequences becomes \\5c', () => {
    assert.equal(escapeLocal('a\\27b\\5c\\2F\\4'), 'a\\5c27b\\5c5c\\2F\\4');
    assert.equal(unescapeLocal('a\\2Fb\\4\\'), 'a\\2Fb\\4\\');
  });
  it('\\20 may not start or end a local part; empty, tab and over-long are refused', () => {
    for (const raw of [' alice', 'alice ', '', 'a\tb', 'a\u00A0b', 'x'.repeat(1024)]) {
      throwsCode(() => escapeLocal(raw), 'caller-unmappable');
    }
    throwsCode(() => escapeLocal(' a', 'callee-unmappable'), 'callee-unmappable');
    assert.equal(escapeLocal('x'.repeat(1023)), 'x'.repeat(1023));
  });
  it('pct leaves unreserved and user-unreserved alone and encodes the rest as uppercase UTF-8 %HH', () => {
    assert.equal(pct("azAZ09-_.!~*'()&=+$,;?/"), "azAZ09-_.!~*'()&=+$,;?/");
    assert.equal(pct(' "#%:<>@[\\]^`{|}'), '%20%22%23%25%3A%3C%3E%40%5B%5C%5D%5E%60%7B%7C%7D');
    assert.equal(pct('ü漢😀'), '%C3%BC%E6%BC%A2%F0%9F%98%80');
    assert.equal(pct('+15551234567'), '+15551234567');
  });
  it('pctDecode accepts lowercase hex and raw UTF-8, keeps a leading U+FEFF, and is strict', () => {
    assert.equal(pctDecode('f%c3%bc-ü'), 'fü-ü');
    assert.equal(pctDecode('%EF%BB%BFa'), '\uFEFFa');
    for (const bad of ['%', '%4', '%4G', '%FF', '%C3%28', '%E6%BC', '%F0%9F%98']) {
      throwsCode(() => pctDecode(bad), 'callee-unmappable');
    }
    throwsCode(() => pctDecode('%', 'caller-unmappable'), 'caller-unmappable');
  });
  it('hostport and JID syntax', () => {
    assert.deepEqual(parseHostport('[::ffff:192.0.2.1]:5060'), { host: '[::ffff:192.0.2.1]', port: 5060 });
    assert.deepEqual(parseHostport('pbx.example.org.'), { host: 'pbx.example.org.', port: undefined });
    for (const bad of ['', 'a_b.example', '-a.example', 'a.1', 'a:', 'a:65536', '[1::2::3]', '[::1', 'a b']) {
      assert.equal(parseHostport(bad), undefined, bad);
    }
    assert.equal(isIPv6('1:2:3:4:5:6:7:8'), true);
    assert.equal(isIPv6('1:2:3:4:5:6:7::'), true);
    assert.equal(isIPv6('1:2:3:4:5:6:7:8:9'), false);
    assert.equal(isIPv6('1:2:3:4:5:6:7::8'), false);
    assert.deepEqual(parseJid('juliet@capulet.lit/balcony/2@x'), {
      local: 'juliet',
      domain: 'capulet.lit',
      resource: 'balcony/2@x',
    });
  });
});
