/**
 * Pending IQ requests of the component, matched to their answers by id and sender: an answer
 * with the right id from anyone but the addressee is ignored, so a third party cannot answer for
 * the callee [RFC 6120 §8.2.3, §10.1 — the reply comes from the JID the request was sent to].
 */
import { jid as parseJid, type Element } from '@xmpp/component';
import { IqTimeoutError } from './port.ts';
import { parseStanzaError } from './stanza-error.ts';

interface Pending {
  /** The addressee as the request named it; normalised only when the answer's `from` differs. */
  peer: string;
  resolve: (result: Element) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export type SettleOutcome = 'settled' | 'unknown-id' | 'wrong-sender';

export class IqTracker {
  private readonly pending = new Map<string, Pending>();

  get size(): number {
    return this.pending.size;
  }

  /** Resolves with the type='result' stanza; rejects with StanzaError, IqTimeoutError, or via rejectAll. */
  expect(id: string, peer: string, timeoutMs: number): Promise<Element> {
    if (this.pending.has(id)) return Promise.reject(new Error(`IQ id ${id} is already pending`));
    return new Promise<Element>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new IqTimeoutError(timeoutMs));
      }, timeoutMs);
      this.pending.set(id, { peer, resolve, reject, timer });
    });
  }

  /** Forgets a request whose sending failed (the caller reports that failure itself). */
  cancel(id: string): void {
    const entry = this.pending.get(id);
    if (entry === undefined) return;
    clearTimeout(entry.timer);
    this.pending.delete(id);
  }

  /** Feeds an incoming IQ of type result or error. */
  settle(answer: Element): SettleOutcome {
    const id = answer.attrs.id;
    const entry = id === undefined ? undefined : this.pending.get(id);
    if (id === undefined || entry === undefined) return 'unknown-id';
    const from = answer.attrs.from ?? '';
    if (from !== entry.peer && normalizeJid(from) !== normalizeJid(entry.peer)) return 'wrong-sender';
    clearTimeout(entry.timer);
    this.pending.delete(id);
    if (answer.attrs.type === 'error') entry.reject(parseStanzaError(answer));
    else entry.resolve(answer);
    return 'settled';
  }

  rejectAll(error: Error): void {
    const entries = [...this.pending.values()];
    this.pending.clear();
    for (const entry of entries) {
      clearTimeout(entry.timer);
      entry.reject(error);
    }
  }
}

/** Local part and domain compare case-insensitively, the resource exactly [RFC 7622 §3.2–§3.4]. */
function normalizeJid(address: string): string {
  try {
    const parsed = parseJid(address);
    const bare = parsed.local === '' ? parsed.domain : `${parsed.local}@${parsed.domain}`;
    return bare.toLowerCase() + (parsed.resource === '' ? '' : `/${parsed.resource}`);
  } catch {
    return address;
  }
}
