// Types for npm `sip` 0.0.6 (kirm/sip.js, CommonJS, ships no declarations). Only the surface
// src/sip/stack.ts uses is declared, read from node_modules/sip/sip.js. Messages are plain
// objects: headers keyed by lowercase name; to/from/contact are `{name, uri: string, params}`,
// route/record-route/path are the same with `uri` parsed into a SipLibUri (undefined when the
// parser fails, e.g. for IPv6 hosts); content is a latin1 ("binary") string.
declare module 'sip' {
  export interface SipLibUri {
    schema: string;
    user?: string | undefined;
    password?: string | undefined;
    host: string;
    /** NaN when the URI has no port. */
    port: number;
    params: Record<string, string | null>;
    headers: Record<string, string>;
  }

  export interface SipLibNameAddr {
    name?: string | undefined;
    uri: string | SipLibUri | undefined;
    params?: Record<string, string | null | undefined>;
  }

  export interface SipLibMessage {
    method?: string;
    uri?: string | SipLibUri;
    status?: number;
    reason?: string;
    version?: string;
    headers: Record<string, unknown>;
    content?: string | undefined;
  }

  /** A socket the stack received on or sends to. `local` is set for received messages. */
  export interface SipLibFlow {
    protocol: string;
    address: string;
    port: number;
    local?: { address: string; port: number };
  }

  export interface SipLibLogger {
    recv?(message: SipLibMessage, remote: SipLibFlow): void;
    send?(message: SipLibMessage, target: SipLibFlow): void;
    error?(error: unknown): void;
  }

  export interface SipLibOptions {
    /** Bind address; also the Via host and the stack's "own hostname" (see `send`). */
    address?: string;
    /** UDP and TCP port, and the Via port of every transport; `0` means 5060. */
    port?: number;
    /** Overrides `address` in Via and as the own hostname. */
    publicAddress?: string;
    hostname?: string;
    udp?: boolean;
    tcp?: boolean;
    /** TLS server/client options; TLS is enabled when set. */
    tls?: { key?: string | Buffer; cert?: string | Buffer; [option: string]: unknown };
    tls_port?: number;
    /** Stream transports only: header and body size limits (the stream is destroyed when exceeded). */
    maxBytesHeaders?: number;
    maxContentLength?: number;
    rport?: boolean;
    logger?: SipLibLogger;
  }

  export interface SipLibStack {
    /**
     * A response goes out on the server transaction it matches (silently dropped when none). A
     * request starts a client transaction, or for ACK is sent statelessly. Its next hop is the
     * first Route (popped when its host equals the stack's own hostname; a flow URI made by
     * `encodeFlowUri` then names the destination) or else the Request-URI; a next hop whose host
     * is the own hostname and is no flow URI gets a local 404.
     */
    send(message: SipLibMessage, callback?: (response: SipLibMessage) => void): void;
    encodeFlowUri(flow: SipLibFlow & { local: { address: string; port: number } }): SipLibUri;
    decodeFlowUri(uri: string | SipLibUri): SipLibFlow | undefined;
    hostname(): string;
    destroy(): void;
  }

  export function create(
    options: SipLibOptions,
    callback: (request: SipLibMessage, remote: SipLibFlow & { local: { address: string; port: number } }) => void,
  ): SipLibStack;
  export function makeResponse(request: SipLibMessage, status: number, reason?: string): SipLibMessage;
  export function parseUri(uri: string | SipLibUri): SipLibUri | undefined;
  export function stringifyUri(uri: string | SipLibUri): string;
  export function parse(data: string | Buffer): SipLibMessage | undefined;
  export function stringify(message: SipLibMessage): string;
  export function generateBranch(): string;
  /** RFC 3263-style resolution (SRV, A/AAAA); IP literals resolve at once. */
  export function resolve(uri: SipLibUri, action: (addresses: SipLibFlow[]) => void): void;
}
