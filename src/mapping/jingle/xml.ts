/**
 * XML text → one ltx Element, for Jingle text that does not arrive over the XMPP stream (golden
 * files, the `translate` command). The stream parser of `@xmpp/component` is reused so both paths
 * build the same trees; what it would tolerate but XMPP forbids is refused first [RFC6120 §11.1]:
 * DTDs and entity declarations (entity expansion attacks), processing instructions other than a
 * leading XML declaration, text outside the element, more than one element, and oversized or
 * over-deep input.
 */
import { Buffer } from 'node:buffer';
import { xml, type Element } from '@xmpp/component';
import { GatewayError } from '../errors.ts';

export interface XmlLimits {
  /** UTF-8 bytes of the input; default 64 KiB. */
  maxBytes?: number;
  /** Element nesting depth, the top-level element being depth 1; default 32. */
  maxDepth?: number;
}

const defaultMaxBytes = 64 * 1024;
const defaultMaxDepth = 32;
/** The wrapper's name cannot collide with input: a name may not start with a digit [XML §2.3]. */
const wrapperName = 'jsg-root';

function malformedXml(message: string): GatewayError {
  return new GatewayError('malformed-jingle', `XML: ${message}`);
}

/** Parses `text` holding exactly one element (an optional `<?xml …?>` declaration first). */
export function parseXmlElement(text: string, limits: XmlLimits = {}): Element {
  const maxBytes = limits.maxBytes ?? defaultMaxBytes;
  const maxDepth = limits.maxDepth ?? defaultMaxDepth;
  if (Buffer.byteLength(text, 'utf8') > maxBytes) throw malformedXml(`input is larger than ${maxBytes} bytes`);

  const body = text.replace(/^\uFEFF?<\?xml\s[^<>]*\?>/, '');
  if (/<\?/.test(body)) throw malformedXml('processing instructions are not allowed');
  // Only comments and CDATA sections may start with "<!"; DOCTYPE, ENTITY, ELEMENT… may not.
  if (/<!(?!--|\[CDATA\[)/.test(body)) throw malformedXml('document type declarations are not allowed');

  const found: Element[] = [];
  let wrapper: Element | undefined;
  let ended = false;
  let streamError: Error | undefined;
  const parser = new xml.Parser();
  parser.on('start', (el) => {
    wrapper = el;
  });
  parser.on('element', (el) => {
    if (ended) streamError ??= new Error('content after the end of the document');
    found.push(el);
  });
  parser.on('end', () => {
    if (ended) streamError ??= new Error('unbalanced end tag');
    ended = true;
  });
  // The first error ends the parse (thrown out of write() below): ltx would otherwise go on
  // and emit one error per stray end tag, and 6,000 `</content>` in 64 KiB cost 30 ms.
  parser.on('error', (err) => {
    throw err;
  });
  try {
    parser.write(`<${wrapperName}>${body}</${wrapperName}>`);
  } catch (err) {
    // ltx also throws (rather than emits) on undefined entities and illegal character references.
    throw malformedXml(err instanceof Error ? err.message : String(err));
  }
  if (streamError !== undefined) throw malformedXml(streamError.message);
  if (!ended || wrapper === undefined) throw malformedXml('unclosed element');
  if (wrapper.children.some((node) => typeof node === 'string' && node.trim() !== '')) {
    throw malformedXml('text outside the element');
  }
  if (found.length !== 1) throw malformedXml(`expected one top-level element, found ${found.length}`);
  const root = found[0]!;
  root.parent = null;
  if (depth(root) > maxDepth) throw malformedXml(`elements are nested deeper than ${maxDepth}`);
  return root;
}

/** Iterative, so a hostile nesting depth cannot exhaust the call stack. */
function depth(root: Element): number {
  let deepest = 0;
  const pending: [Element, number][] = [[root, 1]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [el, level] = next;
    deepest = Math.max(deepest, level);
    for (const child of el.getChildElements()) pending.push([child, level + 1]);
  }
  return deepest;
}

/**
 * The `<jingle/>` (in any namespace, so the caller can answer a wrong one properly) of an `<iq/>`,
 * or `el` itself when it is one.
 */
export function findJingle(el: Element): Element {
  if (el.getName() === 'jingle') return el;
  if (el.getName() === 'iq') {
    const jingle = el.getChildElements().find((child) => child.getName() === 'jingle');
    if (jingle !== undefined) return jingle;
  }
  throw new GatewayError('malformed-jingle', `<${el.getName()}/> holds no <jingle/>`);
}
