/**
 * The XMPP side of the load: a second XEP-0114 component (no SASL, no roster, no presence) whose
 * JIDs play thousands of Jingle users at once.
 *
 * - Callee (SIP → XMPP): answers disco#info with XEP-0320 support, every session-initiate with
 *   the IQ result and a session-accept of the e2e tests' shape (test/e2e/helpers.ts acceptFor),
 *   and every session-terminate with the IQ result.
 * - Caller (XMPP → SIP): sends session-initiates (golden j1-xep0320-ice offer) at a set rate,
 *   times session-initiate → session-accept, holds the call, then sends session-terminate.
 * - Echo (the Prosody ceiling): answers any other IQ set with an empty result.
 *
 * IQs are taken out before @xmpp/component's own IQ middleware (which would answer
 * service-unavailable), and stanzas go out as strings: the load client should cost the machine
 * little next to what it measures.
 */
import { component, type Element } from '@xmpp/component';
import { acceptFor, goldenText, jingleOf } from '../../test/e2e/helpers.ts';

interface Entity {
  _onElement(element: Element): void;
  write(text: string): Promise<void>;
  start(): Promise<unknown>;
  stop(): Promise<unknown>;
  reconnect: { stop(): void };
  socket: { setNoDelay(noDelay: boolean): unknown } | null;
  on(event: string, listener: (...args: unknown[]) => void): void;
}

const NS_DISCO_INFO = 'http://jabber.org/protocol/disco#info';
const CALLEE_FEATURES = [
  'urn:xmpp:jingle:1',
  'urn:xmpp:jingle:apps:rtp:1',
  'urn:xmpp:jingle:apps:rtp:audio',
  'urn:xmpp:jingle:transports:ice-udp:1',
  'urn:xmpp:jingle:apps:dtls:0',
];

const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/'/g, '&apos;').replace(/</g, '&lt;');

export interface OutboundRun {
  offered: number;
  accepted: number;
  completed: number;
  failed: number;
  /** Why calls failed: IQ error conditions, terminate reasons, `timeout`. */
  failures: Record<string, number>;
  /** session-initiate sent → session-accept received, ms. */
  acceptMs: number[];
  elapsedMs: number;
}

interface OutboundCall {
  sid: string;
  from: string;
  started: number;
  accepted: boolean;
  settle(outcome: string | undefined): void;
}

export class XmppLoadClient {
  readonly domain: string;
  /** The Prosody ceiling's peer: every IQ set, Jingle or not, gets an empty result and nothing else. */
  echoOnly = false;
  private readonly entity: Entity;
  private nextId = 0;
  private readonly pending = new Map<string, (stanza: Element) => void>();
  private readonly outbound = new Map<string, OutboundCall>();
  /** Inbound (SIP → XMPP) counters. */
  readonly inbound = { initiates: 0, accepts: 0, terminates: 0, iqErrors: 0 };
  private readonly offerTemplate = goldenText('j1-xep0320-ice.jingle.xml')
    .replace(/sid='[^']*'/, "sid='%SID%'")
    .replace(/initiator='[^']*'/, "initiator='%FROM%'");

  private constructor(entity: Entity, domain: string) {
    this.entity = entity;
    this.domain = domain;
  }

  static async connect(options: { service: string; domain: string; secret: string }): Promise<XmppLoadClient> {
    const entity = component({
      service: options.service,
      domain: options.domain,
      password: options.secret,
    }) as Entity;
    const client = new XmppLoadClient(entity, options.domain);
    const library = entity._onElement.bind(entity);
    entity._onElement = (element: Element) => {
      if (element.name === 'iq') client.onIq(element);
      else library(element);
    };
    entity.on('error', () => undefined);
    // Like the gateway: no Nagle delay between an IQ result and the session-accept after it.
    entity.on('connect', () => entity.socket?.setNoDelay(true));
    await entity.start();
    return client;
  }

  async close(): Promise<void> {
    this.entity.reconnect.stop();
    await this.entity.stop().catch(() => undefined);
  }

  private send(text: string): void {
    this.entity.write(text).catch(() => undefined);
  }

  private id(): string {
    return `b${(++this.nextId).toString(36)}`;
  }

  private result(iq: Element): void {
    this.send(
      `<iq type='result' id='${escapeAttr(iq.attrs.id ?? '')}' to='${escapeAttr(iq.attrs.from ?? '')}' from='${escapeAttr(iq.attrs.to ?? '')}'/>`,
    );
  }

  /** Sends an IQ set (or get) and calls `onReply` with its result or error. */
  iq(from: string, to: string, payload: string, onReply: (stanza: Element) => void, type = 'set'): void {
    const id = this.id();
    this.pending.set(id, onReply);
    this.send(`<iq type='${type}' id='${id}' from='${escapeAttr(from)}' to='${escapeAttr(to)}'>${payload}</iq>`);
  }

  private onIq(iq: Element): void {
    const type = iq.attrs.type;
    if (type === 'result' || type === 'error') {
      const id = iq.attrs.id ?? '';
      const handler = this.pending.get(id);
      if (handler !== undefined) {
        this.pending.delete(id);
        handler(iq);
      }
      return;
    }
    if (type === 'get' && iq.getChild('query', NS_DISCO_INFO) !== undefined) {
      const features = CALLEE_FEATURES.map((f) => `<feature var='${f}'/>`).join('');
      this.send(
        `<iq type='result' id='${escapeAttr(iq.attrs.id ?? '')}' to='${escapeAttr(iq.attrs.from ?? '')}' from='${escapeAttr(iq.attrs.to ?? '')}'><query xmlns='${NS_DISCO_INFO}'><identity category='client' type='pc'/>${features}</query></iq>`,
      );
      return;
    }
    const jingle = this.echoOnly ? undefined : jingleOf(iq);
    if (jingle === undefined) {
      this.result(iq); // the Prosody ceiling's echo: any other IQ set gets an empty result
      return;
    }
    const sid = jingle.attrs.sid ?? '';
    const action = jingle.attrs.action;
    this.result(iq);
    const call = this.outbound.get(sid);
    if (call !== undefined) {
      if (action === 'session-accept' && !call.accepted) {
        call.accepted = true;
        call.settle(undefined);
      } else if (action === 'session-terminate') {
        const reason = jingle.getChild('reason')?.getChildElements()[0]?.getName() ?? 'none';
        call.settle(`terminate:${reason}`);
      }
      return;
    }
    if (action === 'session-initiate') {
      this.inbound.initiates++;
      const accept = acceptFor(iq, iq.attrs.to ?? '').toString();
      this.iq(iq.attrs.to ?? '', iq.attrs.from ?? '', accept, (reply) => {
        if (reply.attrs.type === 'error') this.inbound.iqErrors++;
        else this.inbound.accepts++;
      });
    } else if (action === 'session-terminate') {
      this.inbound.terminates++;
    }
  }

  /**
   * XMPP → SIP load: `rate` session-initiates per second for `durationMs` (open loop, sent in
   * 10 ms batches), each held `holdMs` after its session-accept and then terminated.
   */
  async runOutbound(options: {
    rate: number;
    durationMs: number;
    holdMs: number;
    callee: string;
    /** A call not accepted and terminated within this is counted as `timeout`. */
    callTimeoutMs?: number;
  }): Promise<OutboundRun> {
    const run: OutboundRun = {
      offered: 0,
      accepted: 0,
      completed: 0,
      failed: 0,
      failures: {},
      acceptMs: [],
      elapsedMs: 0,
    };
    const total = Math.round((options.rate * options.durationMs) / 1000);
    const callTimeoutMs = options.callTimeoutMs ?? 32_000;
    const settled: Promise<void>[] = [];
    const fail = (why: string) => {
      run.failed++;
      run.failures[why] = (run.failures[why] ?? 0) + 1;
    };
    const startOne = (n: number) => {
      const sid = `L${String(n)}x${String(this.nextId)}`;
      const from = `u${String(n % 500)}@${this.domain}/load`;
      const payload = this.offerTemplate.replace('%SID%', sid).replace('%FROM%', from);
      settled.push(
        new Promise<void>((resolve) => {
          let finished = false;
          const finish = (why: string | undefined) => {
            if (finished) return;
            finished = true;
            clearTimeout(timer);
            this.outbound.delete(sid);
            if (why === undefined) run.completed++;
            else fail(why);
            resolve();
          };
          const timer = setTimeout(() => {
            finish('timeout');
          }, callTimeoutMs);
          const call: OutboundCall = {
            sid,
            from,
            started: performance.now(),
            accepted: false,
            settle: (outcome) => {
              if (outcome !== undefined) {
                finish(call.accepted ? `after-accept:${outcome}` : outcome);
                return;
              }
              run.accepted++;
              run.acceptMs.push(performance.now() - call.started);
              setTimeout(() => {
                const terminate = `<jingle xmlns='urn:xmpp:jingle:1' action='session-terminate' sid='${sid}'><reason><success/></reason></jingle>`;
                this.iq(from, options.callee, terminate, (reply) => {
                  finish(reply.attrs.type === 'error' ? 'terminate-error' : undefined);
                });
              }, options.holdMs);
            },
          };
          this.outbound.set(sid, call);
          this.iq(from, options.callee, payload, (reply) => {
            if (reply.attrs.type === 'error') {
              const condition = reply.getChild('error')?.getChildElements()[0]?.getName() ?? 'unknown';
              finish(`initiate-error:${condition}`);
            }
          });
        }),
      );
      run.offered++;
    };
    const started = performance.now();
    await new Promise<void>((resolve) => {
      const tick = setInterval(() => {
        const due = Math.min(total, Math.floor(((performance.now() - started) * options.rate) / 1000));
        while (run.offered < due) startOne(run.offered);
        if (run.offered >= total) {
          clearInterval(tick);
          resolve();
        }
      }, 10);
    });
    await Promise.all(settled);
    run.elapsedMs = performance.now() - started;
    return run;
  }

  /**
   * The Prosody ceiling: Jingle-sized IQ sets (the golden offer) from this component to `peer`
   * (another component that answers results), `window` in flight, for `durationMs`.
   */
  async runIqRoundTrips(options: { peer: string; durationMs: number; window: number }): Promise<{
    roundTrips: number;
    perSecond: number;
    rttMs: number[];
  }> {
    const from = `ceiling@${this.domain}/load`;
    const rttMs: number[] = [];
    let roundTrips = 0;
    const started = performance.now();
    const end = started + options.durationMs;
    await new Promise<void>((resolve) => {
      let inFlight = 0;
      const sendOne = (n: number) => {
        const payload = this.offerTemplate.replace('%SID%', `c${String(n)}`).replace('%FROM%', from);
        const t0 = performance.now();
        inFlight++;
        this.iq(from, options.peer, payload, () => {
          inFlight--;
          roundTrips++;
          const now = performance.now();
          rttMs.push(now - t0);
          if (now < end) sendOne(n + options.window);
          else if (inFlight === 0) resolve();
        });
      };
      for (let i = 0; i < options.window; i++) sendOne(i);
    });
    const elapsed = performance.now() - started;
    return { roundTrips, perSecond: (roundTrips * 1000) / elapsed, rttMs };
  }
}
