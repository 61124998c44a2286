/**
 * Registration of the gateway with a SIP trunk's registrar [RFC 3261 §10.2], so the trunk
 * routes calls for the account to the gateway and accepts its outgoing calls.
 *
 *   Idle ──start()──▶ Registering ──2xx──▶ Registered ──refresh timer──▶ Registering …
 *                        │   ▲                                 │
 *                 failure│   │backoff timer          stop()     │
 *                        ▼   │                                  ▼
 *                      Failed ─────────── stop() ──────────▶ Stopped (REGISTER Expires: 0)
 *
 * One Call-ID and increasing CSeq for every REGISTER of this binding [§10.2.4]; a 401/407 is
 * answered once per REGISTER with the trunk credentials [§22.2]; 423 Interval Too Brief retries
 * with the registrar's Min-Expires [§10.2.8]. The binding is refreshed before it expires.
 */
import { randomBytes } from 'node:crypto';
import { answerChallenge, type DigestCredentials } from './digest.ts';
import { initialMaxForwards, newTag } from './headers.ts';
import type { SipLogger } from './logger.ts';
import type { SipHeaders, SipRequest, SipResponse } from './message.ts';
import type { SipPort } from './port.ts';

export enum RegistrationState {
  Idle = 'idle',
  Registering = 'registering',
  Registered = 'registered',
  Failed = 'failed',
  Stopped = 'stopped',
}

export interface TrunkRegistrationOptions {
  port: SipPort;
  /** Request-URI of the REGISTER: the registrar, e.g. `sip:trunk.example` [RFC 3261 §10.2]. */
  registrar: string;
  /** Address of record registered (To and From), e.g. `sip:gw-account@trunk.example`. */
  aor: string;
  /** Contact bound to the AOR: where the trunk sends calls. */
  contact: string;
  /** Lifetime asked for, s. */
  expires: number;
  credentials?: DigestCredentials | undefined;
  logger?: SipLogger | undefined;
  userAgent?: string | undefined;
  /** Delay before re-registering after a failure: `initialMs`, doubling up to `maxMs`. */
  retry?: { initialMs: number; maxMs: number } | undefined;
  /** How long stop() waits for the answer to its un-REGISTER. */
  stopTimeoutMs?: number | undefined;
  onStateChange?: ((state: RegistrationState) => void) | undefined;
}

/**
 * When to refresh a binding granted for `expires` s: at 80 % of its lifetime or 30 s before it
 * ends, whichever is earlier (margin for a lost request and its retransmissions), after ≥ 1 s.
 */
export function refreshDelayMs(expires: number): number {
  return Math.max(1, Math.min(expires - 30, expires * 0.8)) * 1000;
}

/**
 * The lifetime the registrar granted [RFC 3261 §10.2.4]: the `expires` parameter of our Contact
 * in the 2xx, else its Expires header, else what we asked.
 */
export function grantedExpires(response: SipResponse, contact: string, asked: number): number {
  const ours = response.headers.contact?.find((c) => sameUri(c.uri, contact));
  const fromContact = Number(ours?.params.expires);
  if (ours?.params.expires != null && Number.isInteger(fromContact) && fromContact >= 0) return fromContact;
  const header = Number(response.headers.expires);
  if (response.headers.expires != null && Number.isInteger(header) && header >= 0) return header;
  return asked;
}

function sameUri(a: string, b: string): boolean {
  return a.replace(/^<|>$/g, '').toLowerCase() === b.replace(/^<|>$/g, '').toLowerCase();
}

export class TrunkRegistration {
  private stateValue = RegistrationState.Idle;
  private readonly callId = `${randomBytes(12).toString('hex')}@jsg`;
  private readonly fromTag = newTag();
  private seq = 0;
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;
  /** Bumped per REGISTER; answers to an earlier one are ignored. */
  private attempt = 0;
  private askedExpires: number;

  constructor(private readonly options: TrunkRegistrationOptions) {
    this.askedExpires = options.expires;
  }

  get state(): RegistrationState {
    return this.stateValue;
  }

  get registered(): boolean {
    return this.stateValue === RegistrationState.Registered;
  }

  private moveTo(state: RegistrationState): void {
    if (this.stateValue === state) return;
    this.stateValue = state;
    this.options.onStateChange?.(state);
  }

  start(): void {
    if (this.stateValue !== RegistrationState.Idle) return;
    this.register();
  }

  /** Removes the binding (REGISTER with Expires: 0, RFC 3261 §10.2.2) and stops refreshing. */
  async stop(): Promise<void> {
    const wasBound = this.stateValue === RegistrationState.Registered;
    this.clearTimer();
    this.attempt += 1; // ignore whatever answer is still on its way
    this.moveTo(RegistrationState.Stopped);
    if (!wasBound) return;
    await new Promise<void>((resolve) => {
      const timeout = setTimeout(resolve, this.options.stopTimeoutMs ?? 2000);
      this.send(0, undefined, (response) => {
        if (response.status < 200) return;
        clearTimeout(timeout);
        resolve();
      });
    });
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(ms: number, then: () => void): void {
    this.clearTimer();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      then();
    }, ms);
  }

  private register(): void {
    if (this.stateValue === RegistrationState.Stopped) return;
    this.moveTo(RegistrationState.Registering);
    const attempt = ++this.attempt;
    let authenticated = false;
    const onResponse = (response: SipResponse, request: SipRequest): void => {
      if (attempt !== this.attempt || response.status < 200) return;
      if ((response.status === 401 || response.status === 407) && !authenticated) {
        const credentials = this.options.credentials;
        const answer =
          credentials === undefined ? undefined : answerChallenge(credentials, response, 'REGISTER', request.uri);
        if (answer !== undefined) {
          authenticated = true;
          this.send(this.askedExpires, answer, (r, q) => {
            onResponse(r, q);
          });
          return;
        }
      }
      const minExpires = Number(response.headers['min-expires']);
      if (response.status === 423 && Number.isInteger(minExpires) && minExpires > this.askedExpires) {
        this.askedExpires = minExpires; // RFC 3261 §10.2.8
        this.register();
        return;
      }
      if (response.status >= 200 && response.status < 300) this.onRegistered(response);
      else this.onFailed(response);
    };
    this.send(this.askedExpires, undefined, onResponse);
  }

  private onRegistered(response: SipResponse): void {
    this.failures = 0;
    const expires = grantedExpires(response, this.options.contact, this.askedExpires);
    this.options.logger?.debug({ registrar: this.options.registrar, expires }, 'SIP trunk registered');
    this.moveTo(RegistrationState.Registered);
    this.schedule(refreshDelayMs(expires), () => {
      this.register();
    });
  }

  private onFailed(response: SipResponse): void {
    const retry = this.options.retry ?? { initialMs: 5000, maxMs: 300_000 };
    const delay = Math.min(retry.maxMs, retry.initialMs * 2 ** this.failures);
    this.failures += 1;
    this.options.logger?.warn(
      { registrar: this.options.registrar, status: response.status, retryInMs: delay },
      'SIP trunk registration failed',
    );
    this.moveTo(RegistrationState.Failed);
    this.schedule(delay, () => {
      this.register();
    });
  }

  private send(
    expires: number,
    authorization: ReturnType<typeof answerChallenge>,
    onResponse: (response: SipResponse, request: SipRequest) => void,
  ): void {
    this.seq += 1;
    const headers: SipHeaders = {
      to: { uri: this.options.aor, params: {} },
      from: { uri: this.options.aor, params: { tag: this.fromTag } },
      'call-id': this.callId,
      cseq: { seq: this.seq, method: 'REGISTER' },
      'max-forwards': initialMaxForwards,
      contact: [{ uri: this.options.contact, params: {} }],
      expires,
    };
    if (this.options.userAgent !== undefined) headers['user-agent'] = this.options.userAgent;
    if (authorization !== undefined) headers[authorization.name] = [authorization.value];
    const request: SipRequest = { method: 'REGISTER', uri: this.options.registrar, headers };
    this.options.port.sendRequest(request, (response) => {
      onResponse(response, request);
    });
  }
}
