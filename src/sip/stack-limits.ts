/**
 * Screening of raw SIP input before npm `sip` parses it: size limits, framing and the header
 * checks whose failure makes a request unusable. npm `sip` parses with regular expressions that
 * are slow on padded input and drops malformed messages silently; here every datagram and every
 * stream frame is measured and checked first, in one linear pass, and gets a typed answer.
 *
 * Outcomes [RFC 3261 §18.3, §21.4.11, §8.2.6]:
 * - accept: the message goes to the library unchanged (on a stream, exactly one frame at a time);
 * - reject: a request that can be answered gets a stateless response (513 for size, 505 for the
 *   version, 400 with a reason phrase naming the problem); a response is discarded;
 * - discard: nothing can be answered (no Via, no request line) or the message is a response.
 * Text is handled as latin1 ("binary") strings, the form `sip` itself reads.
 */

export interface SipLimits {
  /** Largest datagram, and largest stream frame (header block + body), in bytes. */
  maxMessageBytes: number;
  /** Largest header field (continuation lines included), in bytes. */
  maxHeaderLineBytes: number;
  /** Most header fields in one message. */
  maxHeaders: number;
}

export const defaultSipLimits: SipLimits = { maxMessageBytes: 16384, maxHeaderLineBytes: 8192, maxHeaders: 100 };

export type ScreenVerdict =
  | { action: 'accept' }
  | {
      action: 'reject';
      status: number;
      reason: string;
      /** The stateless response, on the wire; undefined when none can be formed. */
      response: string | undefined;
    }
  | { action: 'discard'; reason: string };

/** The header fields a stateless response copies [RFC 3261 §8.2.6.2]. */
interface HeadFields {
  via: string[];
  from: string | undefined;
  to: string | undefined;
  callId: string | undefined;
  cseq: string | undefined;
}

/** The parts of a header block that the checks and a stateless response need. */
interface Head {
  startLine: string;
  /** Unfolded header fields, names lowercased and compact forms expanded [RFC 3261 §7.3.3]. */
  fields: { name: string; value: string }[];
  overlong: boolean;
}

const maxResponseBytes = 65000;

const compactNames: Record<string, string> = {
  i: 'call-id',
  m: 'contact',
  e: 'content-encoding',
  l: 'content-length',
  c: 'content-type',
  f: 'from',
  s: 'subject',
  k: 'supported',
  t: 'to',
  v: 'via',
};

/** RFC 3261 §7.3.1 / §20: fields that may appear once only. */
const singleFields = ['call-id', 'cseq', 'from', 'to', 'max-forwards', 'content-length', 'content-type'];

const longWhitespace = /[ \t]{65}/;
const token = /^[A-Za-z0-9\-.!%*_+`'~]+$/;
const requestLine = /^([^ ]+) ([^ ]+) (SIP\/\d+\.\d+)$/;
const responseLine = /^SIP\/\d+\.\d+ /;
const cseqValue = /^(\d{1,10})[ \t]+([^ \t]+)$/;
/** A Via value [RFC 3261 §20.42]: sent-protocol, sent-by, `;name[=value]` parameters. */
const viaValue =
  /^SIP[ \t]*\/[ \t]*2\.0[ \t]*\/[ \t]*[A-Za-z0-9\-.!%*_+`'~]+[ \t]+[A-Za-z0-9\-.[\]:]+(?:[ \t]*;[ \t]*[A-Za-z0-9\-.!%*_+`'~]+(?:[ \t]*=[ \t]*(?:[A-Za-z0-9\-.!%*_+`'~:[\]]+|"[^"\\]*"))?)*$/;

/** Reads the header block (without its blank line) into fields, within the limits. */
function readHead(text: string, limits: SipLimits): Head | { status: number; reason: string; head: Head } {
  const lines = text.split('\r\n');
  const startLine = lines[0] ?? '';
  const head: Head = { startLine, fields: [], overlong: false };
  let problem: { status: number; reason: string } | undefined;
  if (startLine.length > limits.maxHeaderLineBytes) {
    head.overlong = true;
    problem = { status: 400, reason: 'Request Line Too Long' };
  }
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    // npm `sip`'s header regexes rescan a whitespace run from each of its positions (quadratic:
    // 8 KiB of spaces after a From value cost ~200 ms); no real header needs such a run.
    if (line.length <= limits.maxHeaderLineBytes && longWhitespace.test(line))
      problem ??= { status: 400, reason: 'Excessive Whitespace' };
    const last = head.fields[head.fields.length - 1];
    if ((line.startsWith(' ') || line.startsWith('\t')) && last !== undefined) {
      // RFC 3261 §7.3.1: a line starting with whitespace continues the previous field.
      if (last.value.length + line.length > limits.maxHeaderLineBytes) {
        problem ??= { status: 400, reason: 'Header Too Long' };
        head.overlong = true;
        continue;
      }
      last.value += ` ${line.trim()}`;
      continue;
    }
    if (line.length > limits.maxHeaderLineBytes) {
      problem ??= { status: 400, reason: 'Header Too Long' };
      head.overlong = true;
      continue;
    }
    if (head.fields.length >= limits.maxHeaders) {
      problem ??= { status: 400, reason: 'Too Many Headers' };
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) {
      problem ??= { status: 400, reason: 'Malformed Header' };
      continue;
    }
    const raw = line.slice(0, colon).trim().toLowerCase();
    // Own keys only: a header named `constructor` must not find Object.prototype members.
    head.fields.push({
      name: Object.hasOwn(compactNames, raw) ? compactNames[raw]! : raw,
      value: line.slice(colon + 1).trim(),
    });
  }
  return problem === undefined ? head : { ...problem, head };
}

function fieldsOf(head: Head): HeadFields {
  const first = (name: string): string | undefined => head.fields.find((f) => f.name === name)?.value;
  return {
    via: head.fields.filter((f) => f.name === 'via').map((f) => f.value),
    from: first('from'),
    to: first('to'),
    callId: first('call-id'),
    cseq: first('cseq'),
  };
}

/** Splits on commas outside double quotes (Via may list several values in one field). */
function splitList(value: string): string[] {
  const parts: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '"') quoted = !quoted;
    else if (c === '\\' && quoted) i++;
    else if (c === ',' && !quoted) {
      parts.push(value.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(value.slice(start).trim());
  return parts;
}

/**
 * To and From [RFC 3261 §20.10, §25.1]: a name-addr (optional token or quoted display name, then
 * `<addr-spec>` without whitespace inside) or a bare addr-spec, then parameters.
 */
function addressProblem(value: string): string | undefined {
  let i = 0;
  let quotes = 0;
  for (; i < value.length; i++) {
    const c = value[i];
    if (c === '\\' && quotes % 2 === 1) i++;
    else if (c === '"') quotes++;
  }
  if (quotes % 2 === 1) return 'Unbalanced Quotes';
  const open = value.lastIndexOf('<');
  if (open === -1) return /^[^\s<>"]+$/.test(value.split(';')[0]!.trim()) ? undefined : 'Malformed Address';
  const close = value.indexOf('>', open);
  if (close === -1) return 'Malformed Address';
  const display = value.slice(0, open).trim();
  if (display !== '' && !display.startsWith('"') && !display.split(/[ \t]+/).every((word) => token.test(word)))
    return 'Unquoted Display Name';
  if (/\s/.test(value.slice(open + 1, close))) return 'Whitespace In Address';
  return undefined;
}

/** The checks that make a request unusable [RFC 3261 §8.1.1, §8.2.2, §18.3; RFC 4475 §3.1.2]. */
function requestProblem(head: Head): { status: number; reason: string } | undefined {
  const line = requestLine.exec(head.startLine);
  if (line === null) return { status: 400, reason: 'Malformed Request-Line' };
  const [, method, uri, version] = line as unknown as [string, string, string, string];
  if (!token.test(method)) return { status: 400, reason: 'Malformed Method' };
  if (uri.startsWith('<')) return { status: 400, reason: 'Malformed Request-URI' };
  if (version !== 'SIP/2.0') return { status: 505, reason: 'Version Not Supported' };
  for (const name of singleFields) {
    if (head.fields.filter((f) => f.name === name).length > 1) return { status: 400, reason: `Multiple ${name}` };
  }
  const fields = fieldsOf(head);
  // No Via, no address to answer: verdictFor drops it.
  if (fields.via.length === 0) return { status: 400, reason: 'Missing Via' };
  for (const [name, value] of [
    ['Call-ID', fields.callId],
    ['From', fields.from],
    ['To', fields.to],
    ['CSeq', fields.cseq],
  ] as const) {
    if (value === undefined || value === '') return { status: 400, reason: `Missing ${name}` };
  }
  const cseq = cseqValue.exec(fields.cseq!);
  // RFC 3261 §8.1.1.5: the sequence number is below 2**31; the CSeq method is the request's.
  if (cseq === null || Number(cseq[1]) >= 2 ** 31) return { status: 400, reason: 'Bad CSeq' };
  if (cseq[2] !== method) return { status: 400, reason: 'CSeq Method Mismatch' };
  for (const via of fields.via.flatMap(splitList)) {
    if (!viaValue.test(via)) return { status: 400, reason: 'Malformed Via' };
  }
  const to = addressProblem(fields.to!);
  if (to !== undefined) return { status: 400, reason: `${to} (To)` };
  const from = addressProblem(fields.from!);
  if (from !== undefined) return { status: 400, reason: `${from} (From)` };
  const maxForwards = head.fields.find((f) => f.name === 'max-forwards')?.value;
  if (maxForwards !== undefined && !/^\d{1,10}$/.test(maxForwards)) return { status: 400, reason: 'Bad Max-Forwards' };
  return undefined;
}

/** RFC 3261 §20.14: a non-negative decimal; undefined when absent, NaN when malformed. */
function contentLengthOf(head: Head): number | undefined {
  const value = head.fields.find((f) => f.name === 'content-length')?.value;
  if (value === undefined) return undefined;
  return /^\d{1,10}$/.test(value) ? Number(value) : Number.NaN;
}

/**
 * A stateless response to a request that cannot be processed [RFC 3261 §8.2.6]: its Via, From,
 * To (with a tag), Call-ID and CSeq copied as they came; undefined without a Via to answer.
 */
function statelessResponse(head: Head, status: number, reason: string): string | undefined {
  const fields = fieldsOf(head);
  if (fields.via.length === 0) return undefined;
  const lines = [`SIP/2.0 ${String(status)} ${reason}`];
  for (const via of fields.via) lines.push(`Via: ${via}`);
  if (fields.from !== undefined) lines.push(`From: ${fields.from}`);
  if (fields.to !== undefined) {
    const tagged = /;\s*tag\s*=/i.test(fields.to) ? fields.to : `${fields.to};tag=gw-limits`;
    lines.push(`To: ${tagged}`);
  }
  if (fields.callId !== undefined) lines.push(`Call-ID: ${fields.callId}`);
  if (fields.cseq !== undefined) lines.push(`CSeq: ${fields.cseq}`);
  lines.push('Content-Length: 0', '', '');
  const text = lines.join('\r\n');
  // Copied fields are each within maxHeaderLineBytes; the whole must still fit one datagram.
  return text.length <= maxResponseBytes ? text : undefined;
}

function verdictFor(head: Head, status: number, reason: string): ScreenVerdict {
  if (responseLine.test(head.startLine)) return { action: 'discard', reason };
  const response = statelessResponse(head, status, reason);
  return response === undefined ? { action: 'discard', reason } : { action: 'reject', status, reason, response };
}

/** The header block of `text` starting at `start`, read only as far as the limits allow. */
function boundedHead(text: string, start: number, end: number, limits: SipLimits): Head {
  // Enough to find the fields of a stateless response, never the whole of a huge datagram.
  const read = readHead(text.slice(start, Math.min(end, start + Math.max(limits.maxMessageBytes, 65536))), limits);
  return 'head' in read ? read.head : read;
}

/** Index after any leading CRLFs (keep-alives, RFC 5626 §3.5.1; RFC 3261 §7.5). */
function skipBlankLines(text: string, from: number): number {
  let i = from;
  while (text.startsWith('\r\n', i)) i += 2;
  return i;
}

/** Checks a header block and, for a request, the fields a transaction needs. */
function screenHead(text: string, start: number, end: number, limits: SipLimits): ScreenVerdict {
  const read = readHead(text.slice(start, end), limits);
  if ('head' in read) return verdictFor(read.head, read.status, read.reason);
  if (responseLine.test(read.startLine)) return { action: 'accept' };
  const problem = requestProblem(read);
  return problem === undefined ? { action: 'accept' } : verdictFor(read, problem.status, problem.reason);
}

/** One UDP datagram [RFC 3261 §18.3: Content-Length bounds the body; a shorter datagram is an error]. */
export function screenDatagram(data: string, limits: SipLimits): ScreenVerdict {
  const start = skipBlankLines(data, 0);
  if (start >= data.length) return { action: 'discard', reason: 'keep-alive' };
  const end = data.indexOf('\r\n\r\n', start);
  if (data.length > limits.maxMessageBytes) {
    const head = boundedHead(data, start, end === -1 ? data.length : end, limits);
    return verdictFor(head, 513, 'Message Too Large');
  }
  if (end === -1) return verdictFor(boundedHead(data, start, data.length, limits), 400, 'No End Of Headers');
  const verdict = screenHead(data, start, end, limits);
  if (verdict.action !== 'accept') return verdict;
  const head = boundedHead(data, start, end, limits);
  const length = contentLengthOf(head);
  if (length !== undefined && Number.isNaN(length)) return verdictFor(head, 400, 'Bad Content-Length');
  if (length !== undefined && length > data.length - end - 4)
    return verdictFor(head, 400, 'Content-Length Exceeds Datagram');
  return verdict;
}

/** What a stream framer found at the front of its buffer. */
export type StreamFrame =
  /** More bytes needed; `searchFrom` is where the next blank-line search may start. */
  | { kind: 'incomplete'; searchFrom: number }
  | { kind: 'frame'; start: number; end: number; verdict: ScreenVerdict }
  /** The stream cannot be framed any further: answer (when possible) and close [RFC 3261 §18.3]. */
  | { kind: 'fatal'; verdict: ScreenVerdict };

/**
 * The next message of a stream buffer [RFC 3261 §18.3: on a stream, Content-Length delimits the
 * body and is mandatory]. `searchFrom` lets a caller resume the blank-line search where it stopped.
 */
export function nextStreamFrame(buffer: string, limits: SipLimits, searchFrom = 0): StreamFrame {
  const start = skipBlankLines(buffer, 0);
  if (start >= buffer.length) return { kind: 'incomplete', searchFrom: 0 };
  const end = buffer.indexOf('\r\n\r\n', Math.max(start, searchFrom - 3));
  if (end === -1) {
    if (buffer.length - start <= limits.maxMessageBytes) return { kind: 'incomplete', searchFrom: buffer.length };
    return {
      kind: 'fatal',
      verdict: verdictFor(boundedHead(buffer, start, buffer.length, limits), 513, 'Message Too Large'),
    };
  }
  if (end - start + 4 > limits.maxMessageBytes) {
    return { kind: 'fatal', verdict: verdictFor(boundedHead(buffer, start, end, limits), 513, 'Message Too Large') };
  }
  const head = boundedHead(buffer, start, end, limits);
  const length = contentLengthOf(head);
  if (length === undefined) return { kind: 'fatal', verdict: verdictFor(head, 400, 'Missing Content-Length') };
  // Two lengths leave the end of the body unknown [RFC 4475 §3.3.9].
  if (head.fields.filter((f) => f.name === 'content-length').length > 1)
    return { kind: 'fatal', verdict: verdictFor(head, 400, 'Multiple Content-Length') };
  if (Number.isNaN(length)) return { kind: 'fatal', verdict: verdictFor(head, 400, 'Bad Content-Length') };
  if (end + 4 - start + length > limits.maxMessageBytes)
    return { kind: 'fatal', verdict: verdictFor(head, 513, 'Message Too Large') };
  if (buffer.length < end + 4 + length) return { kind: 'incomplete', searchFrom: end + 3 };
  return { kind: 'frame', start, end: end + 4 + length, verdict: screenHead(buffer, start, end, limits) };
}
