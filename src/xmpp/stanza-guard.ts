/**
 * Inbound stream guard: sits between the component's socket and its XML parser (ltx, which
 * enforces no limits and silently skips DTDs and comments) and decides, before anything is
 * parsed, what the parser may see.
 *
 * - Restricted XML [RFC 6120 §11.1]: a DOCTYPE, comment or other markup declaration, or a
 *   processing instruction other than the XML declaration before the stream header, is a stream
 *   violation: `violation()` is called once and everything after it is discarded. The caller
 *   closes the stream with `<restricted-xml/>` (RFC 6120 §4.9.3.18).
 * - Size and depth: each top-level element (stanza) is held back until it is complete. One larger
 *   than `maxStanzaBytes` (UTF-8) or nesting deeper than `maxDepth` (the stanza itself is depth 1)
 *   is discarded as it streams past — memory stays bounded by the limit — and `dropped()` reports
 *   it with its start tag when that was seen in full, so an IQ can still be answered. The parser
 *   never sees it, so the stream survives.
 * - Whitespace between stanzas (keepalives) is not passed on: the parser would append it to the
 *   stream root element forever.
 *
 * The tokenizer mirrors ltx's own state machine (quote-aware attributes, CDATA, `<!`/`<?`
 * detection anywhere in a tag name) so its idea of where a stanza ends is the parser's.
 */

export interface StanzaLimits {
  maxStanzaBytes: number;
  maxDepth: number;
}

export type RestrictedXmlKind = 'doctype' | 'comment' | 'markup-declaration' | 'processing-instruction';

export type StreamViolation =
  | { kind: RestrictedXmlKind }
  /** The stream header (everything before and including the root start tag) exceeds MAX_HEADER_BYTES. */
  | { kind: 'oversize-header' };

export interface DroppedStanza {
  reason: 'size' | 'depth';
  /** The stanza's start tag, e.g. `<iq type='set' id='a1' …>`, when it was received in full. */
  startTag: string | undefined;
}

export interface StanzaGuardSink {
  /** Text the XML parser may consume, in stream order. */
  forward(text: string): void;
  dropped(stanza: DroppedStanza): void;
  violation(violation: StreamViolation): void;
}

const enum State {
  Text,
  TagName,
  Tag,
  AttrName,
  AttrEq,
  AttrQuote,
  AttrValue,
  Cdata,
  Bang,
  Instruction,
}

const enum Sink {
  /** Stream header and footer: straight to the parser. */
  Pass,
  /** Inside a stanza being held back. */
  Unit,
  /** Between stanzas, or inside a stanza being dropped. */
  Skip,
}

const LT = 60;
const GT = 62;
const SLASH = 47;
const BANG = 33;
const QUESTION = 63;
const EQUALS = 61;
const DQUOTE = 34;
const SQUOTE = 39;
const RBRACKET = 93;
const CDATA_OPEN = '[CDATA[';
/** The stream header (XML declaration and root start tag) is a few hundred bytes in practice. */
export const MAX_HEADER_BYTES = 8192;

function utf8Length(code: number): number {
  if (code < 0x80) return 1;
  if (code < 0x800) return 2;
  // Each half of a surrogate pair counts 2: the pair is one 4-byte UTF-8 sequence.
  if (code >= 0xd800 && code <= 0xdfff) return 2;
  return 3;
}

export class StanzaGuard {
  private state = State.Text;
  private depth = 0;
  private rootSeen = false;
  private failed = false;
  private headerBytes = 0;

  private isEndTag = false;
  private atNameStart = false;
  private selfClosing = false;
  private quote = 0;
  private bangText = '';
  private instructionTarget = '';
  private instructionTargetDone = false;
  private previous = 0;
  private beforePrevious = 0;

  private inUnit = false;
  private dropping: DroppedStanza['reason'] | undefined;
  private unitBytes = 0;
  private unitBuffer = '';
  private unitTagsDone = 0;
  private unitStartTag: string | undefined;

  private sink = Sink.Pass;
  private segmentStart = 0;
  private chunk = '';
  private out = '';

  constructor(
    private readonly limits: StanzaLimits,
    private readonly events: StanzaGuardSink,
  ) {}

  /** Forgets everything: a new connection starts a new stream. */
  reset(): void {
    this.state = State.Text;
    this.depth = 0;
    this.rootSeen = false;
    this.failed = false;
    this.headerBytes = 0;
    this.inUnit = false;
    this.dropping = undefined;
    this.unitBuffer = '';
    this.unitStartTag = undefined;
    this.sink = Sink.Pass;
  }

  write(chunk: string): void {
    if (this.failed) return;
    this.chunk = chunk;
    this.segmentStart = 0;
    this.out = '';
    for (let i = 0; i < chunk.length && !this.failed; i++) {
      this.step(chunk.charCodeAt(i), i);
    }
    if (this.failed) return;
    this.flushSegment(chunk.length);
    this.flushOut();
  }

  private step(c: number, i: number): void {
    this.consume(c, i);
    if (this.failed) return;
    const bytes = utf8Length(c);
    if (this.inUnit) {
      this.unitBytes += bytes;
      if (this.dropping === undefined && this.unitBytes > this.limits.maxStanzaBytes) this.startDrop('size', i + 1);
    } else if (this.depth === 0 && !this.rootSeen) {
      this.headerBytes += bytes;
      if (this.headerBytes > MAX_HEADER_BYTES) this.fail({ kind: 'oversize-header' });
    }
    this.beforePrevious = this.previous;
    this.previous = c;
  }

  /** The ltx state machine, plus the guard's bookkeeping at tag boundaries. */
  private consume(c: number, i: number): void {
    switch (this.state) {
      case State.Text:
        if (c === LT) {
          if (this.depth === 1 && !this.inUnit) this.startUnit(i);
          this.state = State.TagName;
          this.isEndTag = false;
          this.selfClosing = false;
          this.atNameStart = true;
        }
        return;
      case State.Cdata:
        if (c === GT && this.previous === RBRACKET && this.beforePrevious === RBRACKET) {
          this.state = State.Text;
          if (this.inUnit && this.unitTagsDone === 0) this.discardUnit(i + 1);
        }
        return;
      case State.TagName:
        if (c === SLASH && this.atNameStart) {
          this.isEndTag = true;
        } else if (c === BANG) {
          this.state = State.Bang;
          this.bangText = '';
        } else if (c === QUESTION) {
          this.state = State.Instruction;
          this.instructionTarget = '';
          this.instructionTargetDone = false;
        } else if (c <= 32 || c === SLASH || c === GT) {
          this.state = State.Tag;
          this.consume(c, i);
        } else {
          this.atNameStart = false;
        }
        return;
      case State.Tag:
        if (c === GT) this.tagComplete(i);
        else if (c === SLASH) this.selfClosing = true;
        else if (c > 32) this.state = State.AttrName;
        return;
      case State.AttrName:
        if (c <= 32 || c === EQUALS) {
          this.state = State.AttrEq;
          this.consume(c, i);
        }
        return;
      case State.AttrEq:
        if (c === EQUALS) this.state = State.AttrQuote;
        return;
      case State.AttrQuote:
        if (c === DQUOTE || c === SQUOTE) {
          this.quote = c;
          this.state = State.AttrValue;
        }
        return;
      case State.AttrValue:
        if (c === this.quote) this.state = State.Tag;
        return;
      case State.Bang:
        this.bangText += String.fromCharCode(c);
        if (this.bangText === CDATA_OPEN) this.state = State.Cdata;
        else if (!CDATA_OPEN.startsWith(this.bangText)) this.fail({ kind: bangKind(this.bangText) });
        return;
      case State.Instruction:
        this.instruction(c);
        return;
    }
  }

  /** Only `<?xml …?>` before the stream header is allowed [RFC 6120 §11.1, §11.4]. */
  private instruction(c: number): void {
    if (!this.instructionTargetDone) {
      if (c <= 32 || c === QUESTION) {
        this.instructionTargetDone = true;
        if (this.instructionTarget !== 'xml' || this.depth !== 0 || this.rootSeen) {
          this.fail({ kind: 'processing-instruction' });
        }
      } else {
        this.instructionTarget += String.fromCharCode(c);
        if (this.instructionTarget.length > 3) this.fail({ kind: 'processing-instruction' });
      }
      return;
    }
    if (c === GT && this.previous === QUESTION) this.state = State.Text;
  }

  private tagComplete(i: number): void {
    this.state = State.Text;
    if (this.isEndTag) {
      this.depth = Math.max(0, this.depth - 1);
      this.elementClosed(i);
      return;
    }
    // The new element sits at stanza depth `depth` (the stanza itself opens at stream depth 1).
    if (this.inUnit && this.dropping === undefined && this.depth > this.limits.maxDepth) {
      this.startDrop('depth', i + 1);
    }
    if (this.inUnit && this.unitTagsDone === 0 && this.dropping === undefined) {
      this.unitStartTag = this.unitBuffer + this.chunk.slice(this.segmentStart, i + 1);
    }
    if (this.inUnit) this.unitTagsDone += 1;
    if (this.selfClosing) {
      this.elementClosed(i);
      return;
    }
    this.depth += 1;
    if (this.depth === 1 && !this.inUnit) {
      // The stream header is complete: from here on only whole stanzas go to the parser.
      this.rootSeen = true;
      this.flushSegment(i + 1);
      this.sink = Sink.Skip;
    }
  }

  private elementClosed(i: number): void {
    if (!this.inUnit || this.depth > 1) return;
    // Depth is back at the stream root (a stanza ended) or at 0 (the root's end tag).
    this.flushSegment(i + 1);
    const dropped = this.dropping;
    if (dropped === undefined) this.out += this.unitBuffer;
    const startTag = this.unitStartTag;
    this.inUnit = false;
    this.dropping = undefined;
    this.unitBuffer = '';
    this.unitStartTag = undefined;
    this.sink = this.depth === 0 ? Sink.Pass : Sink.Skip;
    if (dropped !== undefined) {
      this.flushOut();
      this.events.dropped({ reason: dropped, startTag });
    }
  }

  private startUnit(i: number): void {
    this.flushSegment(i);
    this.inUnit = true;
    this.unitBytes = 0;
    this.unitTagsDone = 0;
    this.unitBuffer = '';
    this.unitStartTag = undefined;
    this.dropping = undefined;
    this.sink = Sink.Unit;
  }

  /** A CDATA section between stanzas is text at the stream root, which is skipped like whitespace. */
  private discardUnit(next: number): void {
    this.inUnit = false;
    this.unitBuffer = '';
    this.segmentStart = next;
    this.sink = Sink.Skip;
  }

  /** Everything of the stanza so far is discarded; the rest is skipped as it arrives. */
  private startDrop(reason: DroppedStanza['reason'], next: number): void {
    this.dropping = reason;
    this.unitBuffer = '';
    this.segmentStart = next;
    this.sink = Sink.Skip;
  }

  private flushSegment(end: number): void {
    const text = this.chunk.slice(this.segmentStart, end);
    this.segmentStart = end;
    if (this.sink === Sink.Pass) this.out += text;
    else if (this.sink === Sink.Unit) this.unitBuffer += text;
  }

  private flushOut(): void {
    if (this.out === '') return;
    const text = this.out;
    this.out = '';
    this.events.forward(text);
  }

  private fail(violation: StreamViolation): void {
    this.failed = true;
    // Stanzas completed before the violation are legitimate and go first, in order.
    this.flushOut();
    this.unitBuffer = '';
    this.events.violation(violation);
  }
}

function bangKind(text: string): RestrictedXmlKind {
  if (text.startsWith('-')) return 'comment';
  if (text.startsWith('D')) return 'doctype';
  return 'markup-declaration';
}
