/**
 * Entry points from both networks into the call layer: Jingle IQs and XEP-0353 messages from
 * XMPP, out-of-dialog INVITEs from SIP. Each finds or creates its call and hands the event to
 * the call's serial queue.
 */
import type { Element } from '@xmpp/component';
import { callerJidFromFromUri, calleeJidFromRequestUri } from '../mapping/address.ts';
import { GatewayError, isGatewayError } from '../mapping/errors.ts';
import { isJingleAction } from '../mapping/jingle/jingle.ts';
import { buildGatewayErrorXmpp, sipResponseForGatewayError } from '../mapping/reasons.ts';
import { inspectSdpOffer } from '../mapping/translate/sdp-offer.ts';
import type { IncomingInvite } from '../sip/dialog-types.ts';
import { StanzaError } from '../xmpp/port.ts';
import { CallStateError } from './call-state.ts';
import type { GatewayContext } from './context.ts';
import { InboundCall } from './inbound-call.ts';
import { OutboundCall } from './outbound-call.ts';
import { NS_JINGLE } from './stanzas.ts';

const NS_JMI = 'urn:xmpp:jingle-message:0';

/** IQ handler for `<jingle/>` sets; `false` for anything else. */
export function jingleIqHandler(ctx: GatewayContext): (iq: Element) => Promise<Element | undefined | false> {
  return async (iq) => {
    if (iq.attrs.type !== 'set') return false;
    const jingleEl = iq.getChildElements().find((c) => c.getName() === 'jingle');
    if (jingleEl === undefined) return false;
    try {
      if (jingleEl.getNS() !== NS_JINGLE) {
        throw new GatewayError(
          'unsupported-jingle-namespace',
          `Jingle namespace ${jingleEl.getNS() ?? '(none)'} is not supported`,
        );
      }
      const from = iq.attrs.from ?? '';
      const sid = jingleEl.attrs.sid ?? '';
      checkEnvelope(jingleEl.attrs.action, sid);
      if (jingleEl.attrs.action === 'session-initiate') {
        OutboundCall.start(ctx, iq, jingleEl);
        return undefined;
      }
      const call = ctx.registry.findByJingle(from, sid);
      if (call === undefined) throw new GatewayError('unknown-session', `no session ${sid.slice(0, 64)} with ${from}`);
      await call.queue.run(() => call.onJingleIq(jingleEl));
      return undefined;
    } catch (err) {
      throw toStanzaError(ctx, err);
    }
  };
}

/**
 * spec §6.5: a malformed envelope (no action, an unknown action, no sid) is `bad-request` whether
 * or not the sid names a session, so it is checked before the session lookup, which would
 * otherwise answer `unknown-session`.
 */
function checkEnvelope(action: string | undefined, sid: string): void {
  if (action === undefined || action === '') {
    throw new GatewayError('malformed-jingle', "<jingle/> lacks the required 'action' attribute");
  }
  if (!isJingleAction(action)) throw new GatewayError('unknown-action', `unknown Jingle action ${action.slice(0, 40)}`);
  if (sid === '') throw new GatewayError('malformed-jingle', "<jingle/> lacks the required 'sid' attribute");
}

function toStanzaError(ctx: GatewayContext, err: unknown): unknown {
  if (isGatewayError(err)) {
    ctx.observer.mappingError(err.code);
    const e = buildGatewayErrorXmpp(err);
    return new StanzaError(e.condition, e.type, {
      text: e.text,
      ...(e.jingle !== undefined ? { jingle: e.jingle } : {}),
    });
  }
  if (err instanceof CallStateError) {
    return new StanzaError('unexpected-request', 'wait', { jingle: 'out-of-order', text: err.message });
  }
  return err;
}

/** XEP-0353 messages from a callee's devices, routed by bare JID + id. */
export function jmiMessageHandler(ctx: GatewayContext): (message: Element) => void {
  return (message) => {
    const payload = message.getChildElements().find((c) => c.getNS() === NS_JMI);
    const id = payload?.attrs.id;
    const from = message.attrs.from;
    if (id === undefined || from === undefined) return;
    const call = ctx.registry.findByJingle(from.replace(/\/.*$/, ''), id);
    if (call instanceof InboundCall) call.onJmiMessage(message);
  };
}

/**
 * A new INVITE [spec §6.9, §7.2, §7.3]: refused with the mapped status when the callee, the
 * body or the caller cannot be mapped; else a call that proposes or initiates to the callee.
 */
export function inviteHandler(ctx: GatewayContext): (invite: IncomingInvite) => void {
  return (invite) => {
    if (ctx.isDraining()) {
      ctx.observer.callStarted('sip-to-xmpp');
      ctx.observer.callEnded('sip-to-xmpp', 'refused');
      invite.reject(503, { headers: { 'Retry-After': '60' } });
      return;
    }
    // Load shedding before any work on the INVITE (no SDP parsing, no disco#info, no propose):
    // RFC 3261 §21.5.4, the client may try another server; §20.33 Retry-After.
    const admission = ctx.admission.admit('sip-to-xmpp');
    if (!admission.admitted) {
      invite.reject(503, { headers: { 'Retry-After': String(admission.retryAfterSeconds) } });
      return;
    }
    const { request } = invite;
    try {
      const callee = calleeJidFromRequestUri(request.uri, ctx.address);
      const body = request.content ?? '';
      if (body.trim() === '') throw new GatewayError('offerless-invite', 'offerless INVITE not supported');
      const type = request.headers['content-type'];
      if (type !== undefined && type.split(';')[0]!.trim().toLowerCase() !== 'application/sdp') {
        throw new GatewayError('unsupported-media-type', `body type ${type.slice(0, 60)} is not application/sdp`);
      }
      const callerJid = callerJidFromFromUri(request.headers.from.uri, ctx.address);
      const inspected = inspectSdpOffer(body);
      const call = new InboundCall(ctx, invite, callerJid, callee, inspected);
      call.post(() => {
        call.start();
      });
    } catch (err) {
      if (!isGatewayError(err)) throw err;
      ctx.observer.mappingError(err.code);
      ctx.observer.callStarted('sip-to-xmpp');
      ctx.observer.callEnded('sip-to-xmpp', 'refused');
      const response = sipResponseForGatewayError(err, ctx.config.sip.domain);
      const headers: Record<string, string> = {};
      if (response.warning !== undefined) headers.Warning = response.warning;
      // RFC 3261 §21.4.13: 415 lists what is accepted.
      if (response.status === 415) headers.Accept = 'application/sdp';
      invite.reject(response.status, { reason: response.phrase, headers });
    }
  };
}
