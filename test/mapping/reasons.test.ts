// Spec §8.2 acceptance assertions covered by the pure reason and error mapping (the parts of
// 90–92, 94, 100–103 and 105 that do not need a running session), through the public module.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GatewayError } from '../../src/mapping/errors.ts';
import {
  buildGatewayErrorXmpp,
  buildReasonElement,
  jingleReasonForSipRequest,
  jingleReasonForSipStatus,
  sipForJingleReason,
  sipStatusForCalleeIqError,
} from '../../src/mapping/reasons.ts';

const SIP_STATUS_NS = 'urn:jingle-sip-gateway:sip-status:0';

/** The `<reason/>` the gateway sends after a final error response. */
function reasonXmlFor(status: number, phrase: string): string {
  const info = jingleReasonForSipStatus(status, phrase, []);
  assert.notEqual(info, null);
  return buildReasonElement(info!).toString();
}

describe('§8.2 assertion 90: SIP final responses → reason with <sip-status/>', () => {
  it('486 → <busy/>, code 486, received phrase', () => {
    assert.equal(
      reasonXmlFor(486, 'Busy Here'),
      `<reason><busy/><sip-status xmlns="${SIP_STATUS_NS}" code="486">Busy Here</sip-status></reason>`,
    );
  });
  it('603 → <decline/>', () => {
    assert.equal(
      reasonXmlFor(603, 'Decline'),
      `<reason><decline/><sip-status xmlns="${SIP_STATUS_NS}" code="603">Decline</sip-status></reason>`,
    );
  });
  it('480 → <gone/>', () => {
    assert.equal(
      reasonXmlFor(480, 'Temporarily Unavailable'),
      `<reason><gone/><sip-status xmlns="${SIP_STATUS_NS}" code="480">Temporarily Unavailable</sip-status></reason>`,
    );
  });
  it('408 → <timeout/>', () => {
    assert.equal(
      reasonXmlFor(408, 'Request Timeout'),
      `<reason><timeout/><sip-status xmlns="${SIP_STATUS_NS}" code="408">Request Timeout</sip-status></reason>`,
    );
  });
});

describe('§8.2 assertion 91: SIP 404 Not Found', () => {
  it('→ <general-error/>, <text>SIP 404 Not Found</text>, <sip-status code=404>Not Found', () => {
    assert.equal(
      reasonXmlFor(404, 'Not Found'),
      '<reason><general-error/><text>SIP 404 Not Found</text>' +
        `<sip-status xmlns="${SIP_STATUS_NS}" code="404">Not Found</sip-status></reason>`,
    );
  });
});

describe('§8.2 assertion 92: SIP-originated call, pre-accept session-terminate', () => {
  it('<busy/> → 486', () => {
    assert.deepEqual(sipForJingleReason('busy', 'responder-pending'), {
      kind: 'final-response',
      status: 486,
      reasonPhrase: 'Busy Here',
    });
  });
  it('<decline/> → 603', () => {
    assert.deepEqual(sipForJingleReason('decline', 'responder-pending'), {
      kind: 'final-response',
      status: 603,
      reasonPhrase: 'Decline',
    });
  });
  it('<incompatible-parameters/> → 488 + Warning 305', () => {
    const termination = sipForJingleReason('incompatible-parameters', 'responder-pending');
    assert.equal(termination.kind, 'final-response');
    assert.equal(termination.kind === 'final-response' ? termination.status : 0, 488);
    assert.equal(termination.kind === 'final-response' ? termination.warning?.code : 0, 305);
  });
});

describe('§8.2 assertion 94: SIP BYE without Reason', () => {
  it('→ <success/> without <sip-status/>', () => {
    assert.equal(buildReasonElement(jingleReasonForSipRequest('BYE')).toString(), '<reason><success/></reason>');
  });
});

describe('§8.2 assertions 100–103: errors the gateway returns', () => {
  it('100: unknown sid → item-not-found + <unknown-session/>', () => {
    assert.deepEqual(buildGatewayErrorXmpp(new GatewayError('unknown-session', 'no session a73sjjvkla37jfea')), {
      condition: 'item-not-found',
      type: 'cancel',
      jingle: 'unknown-session',
      text: 'no session a73sjjvkla37jfea',
    });
  });
  it("101: action='foo' → bad-request", () => {
    assert.deepEqual(buildGatewayErrorXmpp(new GatewayError('unknown-action', "unknown action 'foo'")), {
      condition: 'bad-request',
      type: 'cancel',
      text: "unknown action 'foo'",
    });
  });
  it('102: unknown session-info payload → feature-not-implemented + <unsupported-info/>', () => {
    assert.deepEqual(buildGatewayErrorXmpp(new GatewayError('unsupported-info', 'unknown payload <foo/>')), {
      condition: 'feature-not-implemented',
      type: 'modify',
      jingle: 'unsupported-info',
      text: 'unknown payload <foo/>',
    });
  });
  it('103: second session-accept → unexpected-request + <out-of-order/>', () => {
    assert.deepEqual(buildGatewayErrorXmpp(new GatewayError('out-of-order', 'session already accepted')), {
      condition: 'unexpected-request',
      type: 'wait',
      jingle: 'out-of-order',
      text: 'session already accepted',
    });
  });
});

describe('§8.2 assertion 105: callee IQ error to session-initiate (status part)', () => {
  it('item-not-found → 404', () => {
    assert.equal(sipStatusForCalleeIqError('item-not-found').status, 404);
  });
  it('service-unavailable → 403', () => {
    assert.equal(sipStatusForCalleeIqError('service-unavailable').status, 403);
  });
  it('<redirect>xmpp:voicemail@capulet.lit</redirect> → 302, Contact as mapped per §7.5', () => {
    assert.deepEqual(sipStatusForCalleeIqError('redirect', 'sip:voicemail%40capulet.lit@sip.gw.example'), {
      status: 302,
      phrase: 'Moved Temporarily',
      contact: 'sip:voicemail%40capulet.lit@sip.gw.example',
    });
  });
});
