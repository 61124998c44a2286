import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseXmlElement } from '../../src/mapping/jingle/xml.ts';
import { jingleIqHandler } from '../../src/session/router.ts';
import { isHold, mediaDirections, withDirections } from '../../src/session/sdp-direction.ts';
import type { SipRequest, SipResponse } from '../../src/sip/message.ts';
import { FakeDialog, fakeContext, iqSet, settle, sipResponse } from './fakes.ts';

const golden = (name: string) => readFileSync(new URL(`../golden/${name}`, import.meta.url), 'utf8');
const ROMEO = 'romeo@example.org/orchard';
const CALLEE = '+15551234567\\40sip.example.net@gw.example';
const SID = 'a73sjjvkla37jfea';

async function activeCall() {
  const f = fakeContext();
  f.xmpp.onIq(jingleIqHandler(f.ctx));
  const jingle = parseXmlElement(golden('j1-xep0320-ice.jingle.xml').replace(/romeo@montague\.lit\/orchard/g, ROMEO));
  await f.xmpp.deliverIq(iqSet(ROMEO, CALLEE, jingle));
  await settle();
  const invite = f.sip.invites[0]!;
  const dialog = new FakeDialog(invite.callId);
  invite.handlers.accepted(dialog, sipResponse(200, 'OK', invite.callId, golden('j1-answer-active.sdp')));
  await settle();
  return { ...f, dialog };
}

function info(payload: string) {
  return iqSet(
    ROMEO,
    CALLEE,
    parseXmlElement(
      `<jingle xmlns='urn:xmpp:jingle:1' action='session-info' sid='${SID}'><${payload} xmlns='urn:xmpp:jingle:apps:rtp:info:1'/></jingle>`,
    ),
  );
}

function reInvite(callId: string, body: string): SipRequest {
  return {
    method: 'INVITE',
    uri: 'sip:gw@127.0.0.2',
    headers: {
      to: { uri: 'sip:x@gw', params: { tag: 'local' } },
      from: { uri: 'sip:peer@x', params: { tag: 'remote' } },
      'call-id': callId,
      cseq: { seq: 2, method: 'INVITE' },
      'content-type': 'application/sdp',
    },
    content: body,
  };
}

describe('hold and resume (spec §6.2)', () => {
  it('<hold/> → re-INVITE with every m-line sendonly; <active/> → sendrecv again (assertion 95)', async () => {
    const { xmpp, dialog } = await activeCall();
    assert.equal((await xmpp.deliverIq(info('hold'))).error, undefined);
    await settle();
    assert.equal(dialog.requests.length, 1);
    const held = dialog.requests[0]!;
    assert.equal(held.method, 'INVITE');
    assert.deepEqual(
      mediaDirections(held.body!).map((m) => m.direction),
      ['sendonly'],
    );
    assert.match(held.body!, /^o=- \d+ 2 /m);
    assert.equal((await xmpp.deliverIq(info('active'))).error, undefined);
    await settle();
    assert.equal(dialog.requests.length, 2);
    assert.deepEqual(
      mediaDirections(dialog.requests[1]!.body!).map((m) => m.direction),
      ['sendrecv'],
    );
    assert.match(dialog.requests[1]!.body!, /^o=- \d+ 3 /m);
  });

  it('a SIP re-INVITE holding every m-line → <hold/> and a recvonly answer; sendrecv again → <active/> (assertion 96)', async () => {
    const { xmpp, dialog } = await activeCall();
    const responses: SipResponse[] = [];
    const deliver = async (body: string) => {
      dialog.handlers!.request({
        request: reInvite(dialog.callId, body),
        remote: { protocol: 'UDP', address: '127.0.0.1', port: 5070, local: { address: '127.0.0.2', port: 5060 } },
        respond: (r) => responses.push(r),
      });
      await settle();
    };
    const answer = golden('j1-answer-active.sdp');
    await deliver(withDirections(answer, () => 'sendonly'));
    assert.equal(responses[0]!.status, 200);
    assert.deepEqual(
      mediaDirections(responses[0]!.content!).map((m) => m.direction),
      ['recvonly'],
    );
    assert.doesNotMatch(responses[0]!.content!, /a=setup:actpass/);
    const infos = xmpp.jingle('session-info').map((s) => s.toString());
    assert.equal(infos.filter((s) => s.includes('<hold ')).length, 1);
    await deliver(withDirections(answer, () => 'sendrecv'));
    assert.equal(responses[1]!.status, 200);
    assert.equal(xmpp.jingle('session-info').filter((s) => s.toString().includes('<active ')).length, 1);
  });

  it('a re-INVITE with a new fingerprint is refused 488 and the call goes on (assertion 31)', async () => {
    const { dialog, ctx } = await activeCall();
    const responses: SipResponse[] = [];
    const changed = golden('j1-answer-active.sdp').replace(
      /a=fingerprint:(\S+) [0-9A-F:]+/,
      'a=fingerprint:$1 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF',
    );
    dialog.handlers!.request({
      request: reInvite(dialog.callId, changed),
      remote: { protocol: 'UDP', address: '127.0.0.1', port: 5070, local: { address: '127.0.0.2', port: 5060 } },
      respond: (r) => responses.push(r),
    });
    await settle();
    assert.equal(responses[0]!.status, 488);
    assert.equal(ctx.registry.size, 1);
  });
});

describe('sdp-direction', () => {
  it('reads session-level directions and treats inactive/sendonly on every m-line as hold', () => {
    const sdp =
      'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=sendonly\r\nm=audio 5000 RTP/AVP 0\r\nm=video 0 RTP/AVP 96\r\nm=audio 5002 RTP/AVP 0\r\na=inactive\r\n';
    assert.deepEqual(
      mediaDirections(sdp).map((m) => m.direction),
      ['sendonly', 'sendonly', 'inactive'],
    );
    assert.equal(isHold(sdp), true);
    assert.equal(isHold(withDirections(sdp, () => 'sendrecv')), false);
    assert.doesNotMatch(withDirections(sdp, () => 'recvonly').split('m=')[0]!, /a=sendonly/);
  });
});
