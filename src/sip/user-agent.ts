/**
 * The gateway's SIP user agent core over a SipPort [RFC 3261 §8, §12–§15]: routes every incoming
 * request to its dialog, its INVITE (CANCEL, early BYE) or the out-of-dialog handlers, and starts
 * outgoing INVITEs. Transactions, retransmission of requests and non-2xx responses, and the ACK
 * of non-2xx responses are the port's; 2xx retransmission and ACK of 2xx are done here.
 */
import type {
  IncomingInvite,
  OutgoingInvite,
  OutgoingInviteHandlers,
  OutgoingInviteOptions,
  SipUserAgent,
} from './dialog-types.ts';
import type { Dialog } from './dialog.ts';
import type { DigestCredentials, InboundDigest } from './digest.ts';
import { defaultAllow, maxForwardsOf, optionTags, tagOf, uriUser, withTag } from './headers.ts';
import type { SipLogger } from './logger.ts';
import type { IncomingSipRequest, SipPort } from './port.ts';
import { UacInvite } from './uac-invite.ts';
import { ServerInviteTable } from './server-invites.ts';
import { UasInvite } from './uas-invite.ts';
import { defaultT1Ms, defaultT2Ms, dialogKey, UaContext } from './ua-context.ts';

export interface SipUserAgentOptions {
  port: SipPort;
  /**
   * Host written in the Contact of the gateway's answers to INVITEs; default: the local address
   * the INVITE arrived on (set it when listening on 0.0.0.0 or behind NAT).
   */
  contactHost?: string | undefined;
  /** Methods for Allow [RFC 3261 §20.5]; default INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE. */
  allow?: readonly string[] | undefined;
  /** Option tags for Supported; a Require outside this list gets 420 [RFC 3261 §8.2.2.3]. */
  supported?: readonly string[] | undefined;
  /** User-Agent / Server header value; none by default. */
  userAgent?: string | undefined;
  logger?: SipLogger | undefined;
  /** RFC 3261 T1 and T2 for the 2xx retransmission and 64·T1 timeouts of this layer. */
  timers?: { t1Ms?: number | undefined; t2Ms?: number | undefined } | undefined;
  /** Credentials for 401/407 challenges to the gateway's INVITE, BYE, re-INVITE [RFC 3261 §22]. */
  credentials?: DigestCredentials | undefined;
  /** When set, out-of-dialog INVITEs must carry valid digest credentials, else 401 [RFC 3261 §22.4]. */
  inboundAuth?: InboundDigest | undefined;
}

export function createSipUserAgent(options: SipUserAgentOptions): SipUserAgent {
  return new UserAgent(options);
}

class UserAgent implements SipUserAgent {
  private readonly ctx: UaContext;
  private readonly dialogs = new Map<string, Dialog>();
  /** Incoming INVITEs by Call-ID and top Via branch, kept 64·T1 after their final response. */
  private readonly serverInvites = new ServerInviteTable();
  private inviteHandler: ((invite: IncomingInvite) => void) | undefined;
  private outOfDialogHandler: ((incoming: IncomingSipRequest) => boolean) | undefined;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: SipUserAgentOptions) {
    this.ctx = new UaContext(
      options.port,
      options.timers?.t1Ms ?? defaultT1Ms,
      options.timers?.t2Ms ?? defaultT2Ms,
      options.logger,
      options.allow ?? defaultAllow,
      options.supported ?? [],
      options.userAgent,
      {
        add: (key, dialog) => this.dialogs.set(key, dialog),
        remove: (key) => this.dialogs.delete(key),
      },
      options.credentials,
    );
    options.port.onRequest((incoming) => {
      this.receive(incoming);
    });
  }

  get activeDialogs(): number {
    return this.dialogs.size;
  }

  invite(options: OutgoingInviteOptions, handlers: OutgoingInviteHandlers): OutgoingInvite {
    return new UacInvite(this.ctx, options, handlers);
  }

  onInvite(handler: (invite: IncomingInvite) => void): void {
    this.inviteHandler = handler;
  }

  onOutOfDialogRequest(handler: (incoming: IncomingSipRequest) => boolean): void {
    this.outOfDialogHandler = handler;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.ctx.clearAllTimers();
      for (const dialog of [...this.dialogs.values()]) dialog.close();
      this.serverInvites.clear();
      await this.options.port.close();
    })();
    return this.closing;
  }

  private respond(incoming: IncomingSipRequest, status: number, headers: Record<string, string> = {}): void {
    const response = this.options.port.makeResponse(incoming.request, status);
    for (const [name, value] of Object.entries(headers)) response.headers[name] = value;
    this.ctx.addUserAgent(response.headers, 'response');
    incoming.respond(response);
  }

  private receive(incoming: IncomingSipRequest): void {
    if (this.closing !== undefined) return;
    const { request } = incoming;
    const callId = request.headers['call-id'];
    const toTag = tagOf(request.headers.to);
    const fromTag = tagOf(request.headers.from) ?? '';
    if (request.method === 'ACK') {
      // ACKs of non-2xx are absorbed by the server transaction; these ACK a 2xx [RFC 3261 §13.3.1.4].
      if (toTag !== undefined) this.dialogs.get(dialogKey(callId, toTag, fromTag))?.receiveAck(request);
      return;
    }
    // RFC 3261 §16.3 item 3, §20.22: a request that may not be forwarded any further → 483.
    if (maxForwardsOf(request.headers) === 0) {
      this.respond(incoming, 483);
      return;
    }
    // RFC 3261 §8.2.2.1: a Request-URI scheme the UAS does not serve → 416 [RFC 4475 §3.3.2, §3.3.3].
    if (!/^(?:sips?|tel):/i.test(request.uri)) {
      this.respond(incoming, 416);
      return;
    }
    if (request.method === 'CANCEL' && toTag === undefined) {
      this.receiveCancel(incoming);
      return;
    }
    if (toTag !== undefined) {
      this.receiveInDialog(incoming, dialogKey(callId, toTag, fromTag));
      return;
    }
    // RFC 3261 §8.2.2.3: option tags we do not support in Require → 420 with Unsupported.
    const supported = new Set(this.ctx.supported.map((tag) => tag.toLowerCase()));
    const unsupported = optionTags(request.headers, 'require').filter((tag) => !supported.has(tag));
    if (unsupported.length > 0) {
      this.respond(incoming, 420, { unsupported: unsupported.join(', ') });
      return;
    }
    if (request.method === 'INVITE') {
      this.receiveInvite(incoming);
      return;
    }
    if (request.method === 'BYE') {
      // RFC 3261 §15.1.2: a BYE matching no dialog → 481.
      this.respond(incoming, 481);
      return;
    }
    const handler = this.outOfDialogHandler;
    let handled = false;
    if (handler !== undefined) this.ctx.callHandler('out-of-dialog request', () => (handled = handler(incoming)));
    if (handled) return;
    if (request.method === 'OPTIONS') {
      // RFC 3261 §11.2: 200 with Allow, Accept and Supported.
      const response = this.options.port.makeResponse(request, 200);
      this.ctx.addCapabilities(response.headers);
      response.headers.accept = 'application/sdp';
      this.ctx.addUserAgent(response.headers, 'response');
      incoming.respond(response);
      return;
    }
    // RFC 3261 §8.2.1: a method the UAS does not support → 405 with Allow.
    this.respond(incoming, 405, { allow: this.ctx.allow.join(', ') });
  }

  /** RFC 3261 §12.2.2: requests with a To tag go to their dialog, else 481. */
  private receiveInDialog(incoming: IncomingSipRequest, key: string): void {
    const { request } = incoming;
    const dialog = this.dialogs.get(key);
    if (dialog !== undefined) {
      dialog.receive(incoming);
      return;
    }
    const early = this.serverInvites
      .withCallId(request.headers['call-id'])
      .find((invite) => !invite.finished && invite.isEarlyDialogRequest(request));
    if (early !== undefined && request.method === 'BYE') {
      // RFC 3261 §15: the caller may end an early dialog with BYE; the INVITE gets 487.
      this.respond(incoming, 200);
      early.cancel(request);
      return;
    }
    if (early !== undefined) {
      // Early-dialog requests other than BYE (UPDATE, INFO, PRACK) are not supported.
      this.respond(incoming, 501);
      return;
    }
    this.respond(incoming, 481);
  }

  /** RFC 3261 §9.2: CANCEL matches the INVITE by Call-ID and top Via branch [§17.2.3]. */
  private receiveCancel(incoming: IncomingSipRequest): void {
    const { request } = incoming;
    const branch = request.headers.via?.[0]?.params.branch;
    const invite =
      typeof branch === 'string'
        ? this.serverInvites.get(ServerInviteTable.key(request.headers['call-id'], branch))
        : undefined;
    if (invite === undefined) {
      this.respond(incoming, 481);
      return;
    }
    // 200 to the CANCEL, with the To tag of the INVITE's responses; the INVITE, if still
    // unanswered, gets 487 (else the CANCEL has no effect).
    const response = this.options.port.makeResponse(request, 200);
    response.headers.to = withTag(response.headers.to, invite.localTag);
    this.ctx.addUserAgent(response.headers, 'response');
    incoming.respond(response);
    invite.cancel(request);
  }

  private receiveInvite(incoming: IncomingSipRequest): void {
    const { request } = incoming;
    const callId = request.headers['call-id'];
    const branch = request.headers.via?.[0]?.params.branch;
    const key = ServerInviteTable.key(callId, typeof branch === 'string' ? branch : '');
    if (this.serverInvites.has(key)) return; // retransmission after the stack's transaction ended
    // RFC 3261 §8.2.2.2: same From tag, Call-ID and CSeq as a transaction in progress, other
    // branch → a merged request (forked and looped back) → 482.
    const fromTag = tagOf(request.headers.from);
    const merged = this.serverInvites
      .withCallId(callId)
      .some(
        (invite) =>
          invite.callId === callId &&
          tagOf(invite.request.headers.from) === fromTag &&
          invite.request.headers.cseq.seq === request.headers.cseq.seq,
      );
    if (merged) {
      this.respond(incoming, 482);
      return;
    }
    // RFC 3261 §21.4.7, §20.1: an Accept that rules out SDP leaves no answer to send [RFC 4475 §3.3.15].
    if (!acceptsSdp(request.headers.accept)) {
      this.respond(incoming, 406, { accept: 'application/sdp' });
      return;
    }
    const contact = request.headers.contact?.[0]?.uri;
    if (contact === undefined || contact === '*') {
      // RFC 3261 §8.1.1.8: an INVITE MUST carry one Contact; without it no dialog can be built.
      this.respond(incoming, 400);
      return;
    }
    if (!this.authorized(incoming)) return;
    const handler = this.inviteHandler;
    if (handler === undefined) {
      this.respond(incoming, 503);
      return;
    }
    // RFC 3261 §8.2.6.1 / §17.2.1: 100 Trying at once, the answer may take a while.
    this.respond(incoming, 100);
    const invite: UasInvite = new UasInvite(this.ctx, incoming, this.contactFor(incoming), () => {
      this.ctx.setTimer(() => {
        this.serverInvites.delete(key);
      }, this.ctx.transactionTimeoutMs);
    });
    this.serverInvites.set(key, invite);
    this.ctx.callHandler('invite', () => {
      handler(invite);
    });
  }

  /**
   * `sip.inboundAuth` [RFC 3261 §22.2]: without valid credentials the INVITE gets 401 with a
   * fresh challenge (stale=true when only the nonce had expired, RFC 7616 §3.3).
   */
  private authorized(incoming: IncomingSipRequest): boolean {
    const auth = this.options.inboundAuth;
    if (auth === undefined) return true;
    const result = auth.verify(incoming.request.method, incoming.request.headers.authorization);
    if (result.ok) return true;
    this.ctx.logger?.debug({ callId: incoming.request.headers['call-id'], why: result.why }, 'SIP INVITE challenged');
    const response = this.options.port.makeResponse(incoming.request, 401);
    response.headers['www-authenticate'] = [auth.challenge(result.stale)];
    this.ctx.addUserAgent(response.headers, 'response');
    incoming.respond(response);
    return false;
  }

  /**
   * RFC 3261 §12.1.1: the UAS's Contact, a URI reaching the gateway for this dialog: the socket
   * the INVITE came in on, `sips:` when the Request-URI was, `;transport=` for TCP/TLS.
   */
  private contactFor(incoming: IncomingSipRequest): string {
    const { request, remote } = incoming;
    const secure = /^sips:/i.test(request.uri);
    const user = uriUser(request.uri);
    const host = this.options.contactHost ?? remote.local.address;
    const transport =
      remote.protocol === 'UDP' || (secure && remote.protocol === 'TLS')
        ? ''
        : `;transport=${remote.protocol.toLowerCase()}`;
    return `${secure ? 'sips' : 'sip'}:${user !== undefined ? `${user}@` : ''}${host}:${remote.local.port}${transport}`;
  }
}

/** Whether an Accept header (absent means application/sdp, RFC 3261 §20.1) admits SDP. */
function acceptsSdp(accept: unknown): boolean {
  if (typeof accept !== 'string' || accept.trim() === '') return true;
  return accept
    .split(',')
    .map((range) => range.split(';')[0]!.trim().toLowerCase())
    .some((type) => type === 'application/sdp' || type === 'application/*' || type === '*/*');
}
