// Types for @xmpp/client 0.13.1 (CommonJS, ships no declarations; a dev dependency used by the
// tests' XMPP users). Only the surface the project uses is declared. Element and JID are the same
// ltx/jid classes @xmpp/component re-exports, so stanzas can be passed between the two.
declare module '@xmpp/client' {
  import type { Element, JID, JidFactory, XmlFactory } from '@xmpp/component';

  export type { Element, JID };

  export type ClientStatus =
    | 'offline'
    | 'connecting'
    | 'connect'
    | 'opening'
    | 'open'
    | 'online'
    | 'closing'
    | 'close'
    | 'disconnecting'
    | 'disconnect';

  export interface ClientOptions {
    service: string;
    domain?: string;
    resource?: string;
    username?: string;
    password?: string;
    lang?: string;
  }

  export interface Client {
    jid: JID | null;
    status: ClientStatus;
    options: ClientOptions;
    reconnect: { stop(): void; start(): void };
    start(): Promise<JID>;
    stop(): Promise<unknown>;
    send(element: Element): Promise<void>;
    on(event: 'stanza' | 'element' | 'nonza', listener: (element: Element) => void): this;
    on(event: 'status', listener: (status: ClientStatus, value?: unknown) => void): this;
    on(event: 'error', listener: (error: Error) => void): this;
    on(event: 'online', listener: (jid: JID) => void): this;
    on(event: 'offline' | 'disconnect', listener: () => void): this;
    on(event: 'input' | 'output', listener: (data: string) => void): this;
    removeListener(event: string, listener: (...args: never[]) => void): this;
  }

  export const xml: XmlFactory;
  export const jid: JidFactory;
  export function client(options: ClientOptions): Client;
}
