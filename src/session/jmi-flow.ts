/**
 * XEP-0353 Jingle Message Initiation for a SIP call to a bare JID (spec §6.7): propose to the
 * bare JID, 180 on `<ringing/>`, the first `<proceed/>` names the device, `<reject/>` → 603/486,
 * silence for `jingle.ringTimeoutMs` → `<retract/>` + 480, CANCEL → `<retract/>` + 487,
 * and `<finish/>` when a proposed session ends [X353 §3.3–§3.7].
 */
import type { Element } from '@xmpp/component';
import type { ReasonInfo, SipResponseSpec } from '../mapping/reasons.ts';
import type { InspectedOffer } from '../mapping/translate/sdp-offer.ts';
import { buildJmiFinish, buildJmiPropose, buildJmiRetract, parseJmiMessage } from '../xmpp/jmi.ts';
import type { CallOutcome } from './call-state.ts';
import type { GatewayContext } from './context.ts';

export interface JmiHandlers {
  ringing(): void;
  proceed(fullJid: string): void;
  failed(response: SipResponseSpec, outcome: CallOutcome): void;
}

type Stage = 'idle' | 'proposed' | 'proceeded' | 'over';

export class JmiFlow {
  private stage: Stage = 'idle';
  private device: string | undefined;

  constructor(
    private readonly ctx: GatewayContext,
    readonly id: string,
    private readonly from: string,
    private readonly bareJid: string,
    /** Needed for the propose only; released then, the call may ring for minutes. */
    private offer: InspectedOffer | undefined,
    private readonly handlers: JmiHandlers,
  ) {}

  /** Sends the propose; `post` runs on the call's queue, `setTimer` dies with the call. */
  propose(post: (fn: () => void) => void, setTimer: (ms: number, fn: () => void) => void): void {
    this.stage = 'proposed';
    this.post = post;
    const media = (this.offer?.media ?? []).filter((m) => m.mapped).map((m) => m.media.media);
    this.offer = undefined;
    this.send(buildJmiPropose({ from: this.from, to: this.bareJid, id: this.id, media }));
    setTimer(this.ctx.config.jingle.ringTimeoutMs, () => {
      if (this.stage !== 'proposed') return;
      this.retract({ reason: 'timeout' });
      this.handlers.failed({ status: 480, phrase: 'Temporarily Unavailable' }, 'timeout');
    });
  }

  private post: (fn: () => void) => void = () => undefined;

  /** A JMI message from the callee's account for this id (routed by bare JID + id). */
  onMessage(message: Element): void {
    const event = parseJmiMessage(message);
    if (event === undefined || event.id !== this.id) return;
    this.post(() => {
      this.apply(event, message.attrs.from ?? '');
    });
  }

  private apply(event: NonNullable<ReturnType<typeof parseJmiMessage>>, from: string): void {
    if (this.stage !== 'proposed') return; // X353 §3.4: later proceeds are ignored
    switch (event.kind) {
      case 'ringing':
        this.handlers.ringing();
        return;
      case 'proceed':
        if (!from.includes('/')) return;
        this.stage = 'proceeded';
        this.device = from;
        this.handlers.proceed(from);
        return;
      case 'reject': {
        this.stage = 'over';
        // spec §6.7 step 4 [X353 §3.5]: 603 for <decline/>, 486 for any other or no reason.
        const decline = event.reason === 'decline';
        this.handlers.failed(
          decline ? { status: 603, phrase: 'Decline' } : { status: 486, phrase: 'Busy Here' },
          'rejected',
        );
        return;
      }
      default:
        return;
    }
  }

  /** X353 §3.3: the caller gave up before a device proceeded. */
  retract(reason: ReasonInfo): void {
    if (this.stage !== 'proposed') return;
    this.stage = 'over';
    this.send(buildJmiRetract({ from: this.from, to: this.bareJid, id: this.id, reason: reason.reason }));
  }

  /** X353 §3.7: the proposed session is over (also after a failure past proceed). */
  finishWith(reason: ReasonInfo): void {
    if (this.stage !== 'proceeded') return;
    this.stage = 'over';
    this.send(buildJmiFinish({ from: this.from, to: this.device ?? this.bareJid, id: this.id, reason: reason.reason }));
  }

  private send(message: Element): void {
    this.ctx.xmpp.send(message).catch((err: unknown) => {
      this.ctx.logger.info({ id: this.id, err: err instanceof Error ? err.message : err }, 'JMI message not sent');
    });
  }
}
