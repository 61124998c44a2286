import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { xml } from '@xmpp/component';
import {
  buildJingle,
  isCompleteContent,
  jingleActions,
  parseJingle,
  requireMediaSession,
} from '../../src/mapping/jingle/jingle.ts';
import { assertXmlEqual } from '../helpers/xml-equal.ts';
import {
  J1,
  RAW_UDP_J2,
  RTP_PCMU,
  content,
  iceTransport,
  jingleIq,
  parseText,
  throwsCode,
} from '../helpers/jingle-fixtures.ts';

describe('XEP-0166 envelope: parse', () => {
  it('reads action, sid, initiator and responder', () => {
    const req = parseText(
      jingleIq(
        content(`${RTP_PCMU}${iceTransport()}`),
        'session-accept',
        `initiator='romeo@montague.lit/orchard' responder='juliet@capulet.lit/balcony' sid='s1'`,
      ).replace(`setup='actpass'`, `setup='active'`),
    );
    assert.equal(req.action, 'session-accept');
    assert.equal(req.sid, 's1');
    assert.equal(req.initiator, 'romeo@montague.lit/orchard');
    assert.equal(req.responder, 'juliet@capulet.lit/balcony');
    assert.equal(req.reasonElement, undefined);
    assert.deepEqual(req.infoPayloads, []);
  });

  it('knows exactly the fifteen X166 actions', () => {
    assert.equal(jingleActions.length, 15);
    for (const action of jingleActions) {
      const attrs = `initiator='a@b/c' sid='s'`;
      const body =
        action === 'session-initiate' || action === 'session-accept' || action === 'content-add'
          ? content(`${RTP_PCMU}${RAW_UDP_J2}`)
          : '';
      assert.equal(parseText(jingleIq(body, action, attrs)).action, action);
    }
  });

  it('unsupported namespace urn:xmpp:jingle:0 → service-unavailable (assertion 107)', () => {
    const err = throwsCode(
      () => parseText(jingleIq('', 'session-initiate', `initiator='a@b/c' sid='s'`, 'urn:xmpp:jingle:0')),
      'unsupported-jingle-namespace',
    );
    assert.equal(err.xmppCondition, 'service-unavailable');
  });

  it('unknown action → unknown-action, bad-request (assertion 101)', () => {
    const err = throwsCode(() => parseText(jingleIq('', 'foo')), 'unknown-action');
    assert.equal(err.xmppCondition, 'bad-request');
  });

  it('missing action, sid or session-initiate initiator → malformed-jingle', () => {
    throwsCode(
      () => parseText(`<jingle xmlns='urn:xmpp:jingle:1' sid='s' initiator='a@b/c'/>`),
      'malformed-jingle',
      `'action'`,
    );
    throwsCode(() => parseText(jingleIq('', 'session-info', `initiator='a@b/c'`)), 'malformed-jingle', `'sid'`);
    throwsCode(
      () => parseText(jingleIq(content(`${RTP_PCMU}${RAW_UDP_J2}`), 'session-initiate', `sid='s'`)),
      'malformed-jingle',
      'initiator',
    );
  });

  it('initiator is optional outside session-initiate', () => {
    assert.equal(parseText(jingleIq('', 'session-terminate', `sid='s'`)).initiator, undefined);
  });

  it('a non-<jingle/> element is malformed', () => {
    throwsCode(() => parseJingle(xml('query', { xmlns: 'urn:xmpp:jingle:1' })), 'malformed-jingle');
  });

  it('a content without description or transport in session-initiate/-accept/content-add → malformed-jingle', () => {
    for (const action of ['session-initiate', 'session-accept', 'content-add']) {
      throwsCode(() => parseText(jingleIq(content(RTP_PCMU), action)), 'malformed-jingle', 'needs a <description/>');
      throwsCode(() => parseText(jingleIq(content(RAW_UDP_J2), action)), 'malformed-jingle', 'needs a <description/>');
    }
  });

  it('session-initiate without any content → malformed-jingle', () => {
    throwsCode(() => parseText(jingleIq('')), 'malformed-jingle', 'no <content/>');
  });

  it('transport-info contents may carry only a transport', () => {
    const req = parseText(
      jingleIq(content(iceTransport().replace(`setup='actpass'`, `setup='active'`)), 'transport-info'),
    );
    const [c] = req.session.contents;
    assert.ok(c !== undefined);
    assert.equal(c.description, undefined);
    assert.equal(c.transport?.kind, 'ice-udp');
    assert.equal(isCompleteContent(c), false);
    throwsCode(() => requireMediaSession(req.session), 'malformed-jingle');
  });

  it('content-remove contents carry neither', () => {
    const req = parseText(jingleIq(content(''), 'content-remove'));
    assert.deepEqual(req.session.contents, [{ name: 'voice', creator: 'initiator', senders: 'both' }]);
  });

  it('duplicate content names → malformed-jingle', () => {
    const twice =
      content(`${RTP_PCMU}${RAW_UDP_J2}`) + content(`${RTP_PCMU}${RAW_UDP_J2}`, `creator='responder' name='voice'`);
    throwsCode(() => parseText(jingleIq(twice)), 'malformed-jingle', 'voice');
  });

  it('content defaults: creator initiator, senders both; explicit values are kept', () => {
    const req = parseText(jingleIq(content(`${RTP_PCMU}${RAW_UDP_J2}`, `name='voice' senders='initiator'`)));
    const c = req.session.contents[0]!;
    assert.equal(c.creator, 'initiator');
    assert.equal(c.senders, 'initiator');
    const req2 = parseText(jingleIq(content(`${RTP_PCMU}${RAW_UDP_J2}`, `creator='responder' name='v'`)));
    assert.equal(req2.session.contents[0]!.creator, 'responder');
    assert.equal(req2.session.contents[0]!.senders, 'both');
  });

  it('bad creator or senders values and a missing name → malformed-jingle', () => {
    throwsCode(
      () => parseText(jingleIq(content(`${RTP_PCMU}${RAW_UDP_J2}`, `creator='bob' name='v'`))),
      'malformed-jingle',
    );
    throwsCode(
      () => parseText(jingleIq(content(`${RTP_PCMU}${RAW_UDP_J2}`, `name='v' senders='all'`))),
      'malformed-jingle',
    );
    throwsCode(
      () => parseText(jingleIq(content(`${RTP_PCMU}${RAW_UDP_J2}`, `creator='initiator'`))),
      'malformed-jingle',
    );
  });

  it('only content with disposition early-session → non-session-disposition, bad-request (assertion 108)', () => {
    const err = throwsCode(
      () =>
        parseText(
          jingleIq(content(`${RTP_PCMU}${RAW_UDP_J2}`, `creator='initiator' name='v' disposition='early-session'`)),
        ),
      'non-session-disposition',
    );
    assert.equal(err.xmppCondition, 'bad-request');
  });

  it("disposition='session' on the only content, or a second content, is accepted", () => {
    const one = parseText(
      jingleIq(content(`${RTP_PCMU}${RAW_UDP_J2}`, `creator='initiator' name='v' disposition='session'`)),
    );
    assert.equal(one.session.contents[0]!.disposition, 'session');
    const two = parseText(
      jingleIq(
        content(`${RTP_PCMU}${RAW_UDP_J2}`, `creator='initiator' name='a'`) +
          content(`${RTP_PCMU}${RAW_UDP_J2}`, `creator='initiator' name='b' disposition='early-session'`),
      ),
    );
    assert.equal(two.session.contents[1]!.disposition, 'early-session');
  });

  it('unsupported transport → unsupported-transport with terminate disposition', () => {
    const ibb = `<transport xmlns='urn:xmpp:jingle:transports:ibb:1' block-size='4096' sid='ch3d9s71'/>`;
    const err = throwsCode(() => parseText(jingleIq(content(`${RTP_PCMU}${ibb}`))), 'unsupported-transport');
    assert.equal(err.entry.xmpp.disposition, 'terminate');
    assert.equal(err.jingleReason, 'unsupported-transports');
  });

  it('unsupported application → unsupported-application with terminate disposition', () => {
    const ft = `<description xmlns='urn:xmpp:jingle:apps:file-transfer:5'/>`;
    const err = throwsCode(() => parseText(jingleIq(content(`${ft}${RAW_UDP_J2}`))), 'unsupported-application');
    assert.equal(err.entry.xmpp.disposition, 'terminate');
    assert.equal(err.jingleReason, 'unsupported-applications');
  });

  it('a structural fault anywhere wins over an unsupported transport earlier in the stanza', () => {
    const ibb = `<transport xmlns='urn:xmpp:jingle:transports:ibb:1'/>`;
    const body =
      content(`${RTP_PCMU}${ibb}`, `creator='initiator' name='a'`) + content(RTP_PCMU, `creator='initiator' name='b'`);
    throwsCode(() => parseText(jingleIq(body)), 'malformed-jingle');
  });

  it('two descriptions or two transports in one content → malformed-jingle', () => {
    throwsCode(() => parseText(jingleIq(content(`${RTP_PCMU}${RTP_PCMU}${RAW_UDP_J2}`))), 'malformed-jingle');
    throwsCode(() => parseText(jingleIq(content(`${RTP_PCMU}${RAW_UDP_J2}${RAW_UDP_J2}`))), 'malformed-jingle');
  });

  it('XEP-0247 XML stream description', () => {
    const req = parseText(jingleIq(content(`<description xmlns='urn:xmpp:jingle:apps:xmlstream:0'/>${RAW_UDP_J2}`)));
    assert.deepEqual(req.session.contents[0]!.description, { kind: 'xmlstream' });
  });

  it('keeps <reason/> and session-info payloads raw', () => {
    const term = parseText(jingleIq(`<reason><busy/><text>later</text></reason>`, 'session-terminate', `sid='s'`));
    assert.equal(term.reasonElement?.getChild('busy')?.getName(), 'busy');
    assert.deepEqual(term.infoPayloads, []);
    const info = parseText(jingleIq(`<ringing xmlns='urn:xmpp:jingle:apps:rtp:info:1'/>`, 'session-info', `sid='s'`));
    assert.equal(info.infoPayloads.length, 1);
    assert.ok(info.infoPayloads[0]!.is('ringing', 'urn:xmpp:jingle:apps:rtp:info:1'));
    assert.deepEqual(info.session, { contents: [], groups: [] });
  });

  it('two <reason/> elements → malformed-jingle', () => {
    throwsCode(
      () => parseText(jingleIq(`<reason><busy/></reason><reason><gone/></reason>`, 'session-terminate', `sid='s'`)),
      'malformed-jingle',
    );
  });
});

describe('XEP-0338 grouping', () => {
  const two =
    content(`${RTP_PCMU}${RAW_UDP_J2}`, `creator='initiator' name='voice'`) +
    content(`${RTP_PCMU.replace('audio', 'video')}${RAW_UDP_J2}`, `creator='initiator' name='webcam'`);
  const group = `<group xmlns='urn:xmpp:jingle:apps:grouping:0' semantics='BUNDLE'><content name='voice'/><content name='webcam'/></group>`;

  it('parses a BUNDLE group (assertion 69)', () => {
    const req = parseText(jingleIq(two + group));
    assert.deepEqual(req.session.groups, [{ semantics: 'BUNDLE', contents: ['voice', 'webcam'] }]);
    assert.deepEqual(req.infoPayloads, []);
  });

  it('a group without semantics → malformed-jingle', () => {
    throwsCode(() => parseText(jingleIq(two + group.replace(` semantics='BUNDLE'`, ''))), 'malformed-jingle');
  });

  it('builds the group after the contents', () => {
    const req = parseText(jingleIq(two + group));
    const el = buildJingle({ action: 'session-initiate', sid: 's', initiator: 'a@b/c', session: req.session });
    assert.deepEqual(
      el.getChildElements().map((c) => c.getName()),
      ['content', 'content', 'group'],
    );
    assertXmlEqual(el.getChildElements()[2]!, group);
  });
});

describe('XEP-0166 envelope: build', () => {
  it('writes attributes, contents and extra children in order', () => {
    const el = buildJingle({
      action: 'session-terminate',
      sid: 'a73sjjvkla37jfea',
      initiator: 'romeo@montague.lit/orchard',
      extra: [xml('reason', {}, xml('success'))],
    });
    assertXmlEqual(
      el,
      `<jingle xmlns='urn:xmpp:jingle:1' action='session-terminate' initiator='romeo@montague.lit/orchard'
         sid='a73sjjvkla37jfea'><reason><success/></reason></jingle>`,
    );
  });

  it('omits absent initiator/responder and writes responder when given', () => {
    const el = buildJingle({
      action: 'session-accept',
      sid: 's',
      responder: 'alice\\40pbx.example.org@gw.example/sip',
    });
    assert.equal(el.attrs.initiator, undefined);
    assert.equal(el.attrs.responder, 'alice\\40pbx.example.org@gw.example/sip');
  });

  it('J1 builds back to the same stanza', () => {
    const req = parseText(J1);
    const el = buildJingle({ action: req.action, sid: req.sid, initiator: req.initiator, session: req.session });
    const expected = J1.slice(J1.indexOf('<jingle'), J1.indexOf('</iq>'));
    assertXmlEqual(el, expected.replace(`name='voice'>`, `name='voice' senders='both'>`));
  });
});
