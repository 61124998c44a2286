/**
 * RFC 5939 SDP capability negotiation: parse and format the `att-value` of each attribute
 * (`a=csup`, `a=creq`, `a=acap`, `a=tcap`, `a=pcfg`, `a=acfg`) [mapping §2.1].
 *
 * Parsers are strict: anything off the ABNF yields `undefined`, and the caller ignores that
 * attribute (a malformed pcfg is skipped, never fatal [RFC5939 §3.6.2]). Formatters take
 * well-formed values and throw a RangeError (a bug, not bad input) on anything else.
 */

/** `-m`, `-s`, `-ms`: delete media-level, session-level or all `a=` lines [RFC5939 §3.5.1]. */
export type DeleteAttributes = 'm' | 's' | 'ms';

/** `mo-att-cap-list`: mandatory acap numbers, then the optional ones written inside `[...]`. */
export interface AcapList {
  mandatory: number[];
  optional: number[];
}

/** One `pot-config` of a pcfg, kept in written order so formatting round-trips. */
export type PotentialConfigList =
  | {
      kind: 'attributes';
      deleteAttributes: DeleteAttributes | undefined;
      /** `|`-separated alternatives, most preferred first; empty for a bare `a=-m`. */
      alternatives: AcapList[];
    }
  | { kind: 'transports'; tcaps: number[] }
  | { kind: 'extension'; name: string; mandatory: boolean; value: string };

/** `a=pcfg:<config-number> [<pot-cfg-list>]` [RFC5939 §3.5.1]. */
export interface Pcfg {
  configNumber: number;
  lists: PotentialConfigList[];
}

/** One `sel-cfg` of an acfg [RFC5939 §3.5.2]. */
export type SelectedConfigList =
  | {
      kind: 'attributes';
      deleteAttributes: DeleteAttributes | undefined;
      /** Numbers written outside brackets, in order. */
      acaps: number[];
      /** Numbers written inside `[...]`: grammatical, although RFC 5939 answerers list them plainly. */
      bracketedAcaps: number[];
    }
  | { kind: 'transport'; tcap: number }
  | { kind: 'extension'; name: string; value: string };

/** `a=acfg:<config-number> [<sel-cfg-list>]` [RFC5939 §3.5.2]. */
export interface Acfg {
  configNumber: number;
  lists: SelectedConfigList[];
}

/** `a=acap:<att-cap-num> <att-par>` [RFC5939 §3.3.1]. */
export interface AcapValue {
  number: number;
  /** The attribute name (att-field) the capability would add. */
  name: string;
  /** Its value, `undefined` for a property attribute such as `rtcp-mux`. */
  value: string | undefined;
}

/** `a=tcap:<trpr-cap-num> <proto-list>`: the k-th proto gets number `first + k - 1` [RFC5939 §3.4.2]. */
export interface TcapValue {
  first: number;
  protos: string[];
}

/** Capability and configuration numbers are 1*10DIGIT in 1 .. 2^31-1 [RFC5939 §3.3.1, §3.4.2, §3.5.1]. */
export const MAX_CAPNEG_NUMBER = 2 ** 31 - 1;

// RFC 4566 §9 token-char: %x21 / %x23-27 / %x2A-2B / %x2D-2E / %x30-39 / %x41-5A / %x5E-7E.
const TOKEN = "[!#$%&'*+\\-.0-9A-Z^_`a-z{|}~]+";
const tokenPattern = new RegExp(`^${TOKEN}$`);
// RFC 4566 §9 proto = token *("/" token)
const protoPattern = new RegExp(`^${TOKEN}(?:/${TOKEN})*$`);
// att-value = byte-string: any octet but NUL, CR, LF [RFC 4566 §9].
const byteStringPattern = /^[^\0\r\n]+$/;
const WSP = /[ \t]+/;

/** A capneg number, or undefined when it is not 1*10DIGIT in 1 .. 2^31-1. */
export function parseCapnegNumber(text: string): number | undefined {
  if (!/^[0-9]{1,10}$/.test(text)) return undefined;
  const n = Number(text);
  return n >= 1 && n <= MAX_CAPNEG_NUMBER ? n : undefined;
}

/** `a=csup` / `a=creq`: `option-tag *("," option-tag)`, no white space [RFC5939 §3.3.1, §3.3.2]. */
export function parseOptionTags(value: string): string[] | undefined {
  const tags = value.split(',');
  return tags.every((t) => tokenPattern.test(t)) ? tags : undefined;
}

export function formatOptionTags(tags: readonly string[]): string {
  if (tags.length === 0 || !tags.every((t) => tokenPattern.test(t))) {
    throw new RangeError(`not an option-tag list: ${tags.join(',')}`);
  }
  return tags.join(',');
}

/** `a=acap`: `att-cap-num 1*WSP att-par`, att-par = `<name>` or `<name>:<value>` [RFC5939 §3.3.1]. */
export function parseAcap(value: string): AcapValue | undefined {
  const match = /^([0-9]+)[ \t]+(.*)$/s.exec(value);
  if (match === null) return undefined;
  const number = parseCapnegNumber(match[1]!);
  const attribute = parseAttribute(match[2]!);
  if (number === undefined || attribute === undefined) return undefined;
  return { number, ...attribute };
}

export function formatAcap(acap: AcapValue): string {
  checkNumber(acap.number);
  const attribute = acap.value === undefined ? acap.name : `${acap.name}:${acap.value}`;
  if (parseAttribute(attribute) === undefined) throw new RangeError(`not an SDP attribute: ${attribute}`);
  return `${acap.number} ${attribute}`;
}

/** RFC 4566 `attribute = (att-field ":" att-value) / att-field` (without the `a=`). */
export function parseAttribute(text: string): { name: string; value: string | undefined } | undefined {
  const colon = text.indexOf(':');
  const name = colon < 0 ? text : text.slice(0, colon);
  if (!tokenPattern.test(name)) return undefined;
  if (colon < 0) return { name, value: undefined };
  const value = text.slice(colon + 1);
  return byteStringPattern.test(value) ? { name, value } : undefined;
}

/** `a=tcap`: `trpr-cap-num 1*WSP proto *(1*WSP proto)` [RFC5939 §3.4.2]. */
export function parseTcap(value: string): TcapValue | undefined {
  const [head, ...protos] = value.split(WSP);
  const first = parseCapnegNumber(head ?? '');
  if (first === undefined || protos.length === 0 || !protos.every((p) => protoPattern.test(p))) return undefined;
  // The last proto's number must still be a valid trpr-cap-num.
  if (first + protos.length - 1 > MAX_CAPNEG_NUMBER) return undefined;
  return { first, protos };
}

export function formatTcap(tcap: TcapValue): string {
  checkNumber(tcap.first);
  checkNumber(tcap.first + tcap.protos.length - 1);
  if (tcap.protos.length === 0 || !tcap.protos.every((p) => protoPattern.test(p))) {
    throw new RangeError(`not a proto list: ${tcap.protos.join(' ')}`);
  }
  return `${tcap.first} ${tcap.protos.join(' ')}`;
}

/** `a=pcfg`: `config-number [1*WSP pot-cfg-list]` [RFC5939 §3.5.1]. */
export function parsePcfg(value: string): Pcfg | undefined {
  const [head, ...items] = value.split(WSP);
  const configNumber = parseCapnegNumber(head ?? '');
  if (configNumber === undefined) return undefined;
  const lists: PotentialConfigList[] = [];
  for (const item of items) {
    const list = parsePotentialConfigList(item);
    if (list === undefined) return undefined;
    lists.push(list);
  }
  return hasRepeatedList(lists) ? undefined : { configNumber, lists };
}

export function formatPcfg(pcfg: Pcfg): string {
  checkNumber(pcfg.configNumber);
  const parts = [String(pcfg.configNumber)];
  for (const list of pcfg.lists) {
    switch (list.kind) {
      case 'attributes': {
        const del = list.deleteAttributes === undefined ? '' : `-${list.deleteAttributes}`;
        if (list.alternatives.length === 0) {
          if (del === '') throw new RangeError('attribute-config-list without delete-attributes or capabilities');
          parts.push(`a=${del}`);
        } else {
          parts.push(`a=${del === '' ? '' : `${del}:`}${list.alternatives.map(formatAcapList).join('|')}`);
        }
        break;
      }
      case 'transports':
        if (list.tcaps.length === 0) throw new RangeError('empty transport-protocol-config-list');
        list.tcaps.forEach(checkNumber);
        parts.push(`t=${list.tcaps.join('|')}`);
        break;
      case 'extension':
        parts.push(`${list.mandatory ? '+' : ''}${formatExtension(list.name, list.value)}`);
        break;
    }
  }
  return parts.join(' ');
}

/** `a=acfg`: `config-number [1*WSP sel-cfg-list]` [RFC5939 §3.5.2]. */
export function parseAcfg(value: string): Acfg | undefined {
  const [head, ...items] = value.split(WSP);
  const configNumber = parseCapnegNumber(head ?? '');
  if (configNumber === undefined) return undefined;
  const lists: SelectedConfigList[] = [];
  for (const item of items) {
    const list = parseSelectedConfigList(item);
    if (list === undefined) return undefined;
    lists.push(list);
  }
  return hasRepeatedList(lists) ? undefined : { configNumber, lists };
}

/** What an answerer selected, the input of {@link formatAcfg}. */
export interface AcfgSelection {
  configNumber: number;
  /** The selected transport capability; undefined when the pcfg had no `t=`. */
  tcap: number | undefined;
  deleteAttributes?: DeleteAttributes | undefined;
  /** Every mandatory acap of the chosen alternative, in pcfg order. */
  mandatoryAcaps: readonly number[];
  /** The optional acaps of that alternative the answerer supports, in pcfg order. */
  supportedOptionalAcaps: readonly number[];
  /** Non-"+" extension configurations are not used by this gateway; kept for completeness. */
  extensions?: readonly { name: string; value: string }[];
}

/**
 * The `a=acfg` value for a selected configuration: config number, the tcap, the
 * delete-attributes, then all mandatory acaps followed by the supported optional ones in one
 * plain `a=` list, only the chosen alternative [RFC5939 §3.5.2; mapping §2.3 step 3, §2.7]:
 * `1 t=1`, `1 t=1 a=1,2`, `1 t=1 a=1,2,3`.
 */
export function formatAcfg(selection: AcfgSelection): string {
  checkNumber(selection.configNumber);
  const parts = [String(selection.configNumber)];
  if (selection.tcap !== undefined) {
    checkNumber(selection.tcap);
    parts.push(`t=${selection.tcap}`);
  }
  const acaps = [...selection.mandatoryAcaps, ...selection.supportedOptionalAcaps];
  acaps.forEach(checkNumber);
  const del = selection.deleteAttributes;
  if (acaps.length > 0) parts.push(`a=${del === undefined ? '' : `-${del}:`}${acaps.join(',')}`);
  // A selected delete-only configuration must still name its delete-attributes [RFC5939 §3.5.2].
  else if (del !== undefined) parts.push(`a=-${del}`);
  for (const ext of selection.extensions ?? []) parts.push(formatExtension(ext.name, ext.value));
  return parts.join(' ');
}

function parsePotentialConfigList(item: string): PotentialConfigList | undefined {
  const prefix = item.slice(0, 2).toLowerCase(); // ABNF literals are case-insensitive [RFC 5234 §2.3]
  if (prefix === 'a=') {
    const parsed = parseAttributeConfig(item.slice(2), true);
    return parsed === undefined ? undefined : { kind: 'attributes', ...parsed };
  }
  if (prefix === 't=') {
    const tcaps = parseNumberList(item.slice(2), '|');
    return tcaps === undefined ? undefined : { kind: 'transports', tcaps };
  }
  const ext = /^(\+?)([A-Za-z0-9]+)=([\x21-\x7e]+)$/.exec(item);
  if (ext === null || isReservedListName(ext[2]!)) return undefined;
  return { kind: 'extension', mandatory: ext[1] === '+', name: ext[2]!, value: ext[3]! };
}

function parseSelectedConfigList(item: string): SelectedConfigList | undefined {
  const prefix = item.slice(0, 2).toLowerCase();
  if (prefix === 'a=') {
    const parsed = parseAttributeConfig(item.slice(2), false);
    if (parsed === undefined) return undefined;
    const chosen = parsed.alternatives[0];
    return {
      kind: 'attributes',
      deleteAttributes: parsed.deleteAttributes,
      acaps: chosen?.mandatory ?? [],
      bracketedAcaps: chosen?.optional ?? [],
    };
  }
  if (prefix === 't=') {
    const tcap = parseCapnegNumber(item.slice(2));
    return tcap === undefined ? undefined : { kind: 'transport', tcap };
  }
  const ext = /^([A-Za-z0-9]+)=([\x21-\x7e]+)$/.exec(item);
  if (ext === null || isReservedListName(ext[1]!)) return undefined;
  return { kind: 'extension', name: ext[1]!, value: ext[2]! };
}

/**
 * After `a=`: `delete-attributes` alone, or `[delete-attributes ":"] mo-att-cap-list`, with
 * `|` alternatives only in a pcfg. The bare `a=-m` form is also accepted in an acfg: a selected
 * delete-only configuration has no other way to name its deletions (mapping §2.1 gap).
 */
function parseAttributeConfig(
  text: string,
  alternativesAllowed: boolean,
): { deleteAttributes: DeleteAttributes | undefined; alternatives: AcapList[] } | undefined {
  const deleteOnly = /^-(ms|m|s)$/i.exec(text);
  if (deleteOnly !== null)
    return { deleteAttributes: deleteOnly[1]!.toLowerCase() as DeleteAttributes, alternatives: [] };
  let deleteAttributes: DeleteAttributes | undefined;
  let rest = text;
  const prefixed = /^-(ms|m|s):/i.exec(text);
  if (prefixed !== null) {
    deleteAttributes = prefixed[1]!.toLowerCase() as DeleteAttributes;
    rest = text.slice(prefixed[0].length);
  }
  const texts = rest.split('|');
  if (!alternativesAllowed && texts.length > 1) return undefined;
  const alternatives: AcapList[] = [];
  for (const alternative of texts) {
    const list = parseAcapList(alternative);
    if (list === undefined) return undefined;
    alternatives.push(list);
  }
  return { deleteAttributes, alternatives };
}

/** `mandatory-att-cap-list`, `mandatory "," "[" optional "]"`, or `"[" optional "]"`. */
function parseAcapList(text: string): AcapList | undefined {
  const match = /^(?:([0-9,]+?)(?:,\[([0-9,]+)\])?|\[([0-9,]+)\])$/.exec(text);
  if (match === null) return undefined;
  const mandatory = match[1] === undefined ? [] : parseNumberList(match[1], ',');
  const optionalText = match[2] ?? match[3];
  const optional = optionalText === undefined ? [] : parseNumberList(optionalText, ',');
  if (mandatory === undefined || optional === undefined) return undefined;
  return { mandatory, optional };
}

function parseNumberList(text: string, separator: string): number[] | undefined {
  const out: number[] = [];
  for (const part of text.split(separator)) {
    const n = parseCapnegNumber(part);
    if (n === undefined) return undefined;
    out.push(n);
  }
  return out;
}

function formatAcapList(list: AcapList): string {
  [...list.mandatory, ...list.optional].forEach(checkNumber);
  if (list.mandatory.length === 0 && list.optional.length === 0) throw new RangeError('empty att-cap-list');
  const optional = list.optional.length === 0 ? '' : `[${list.optional.join(',')}]`;
  return [list.mandatory.join(','), optional].filter((s) => s !== '').join(',');
}

function formatExtension(name: string, value: string): string {
  if (!/^[A-Za-z0-9]+$/.test(name) || isReservedListName(name) || !/^[\x21-\x7e]+$/.test(value)) {
    throw new RangeError(`not an extension configuration: ${name}=${value}`);
  }
  return `${name}=${value}`;
}

/**
 * `a` and `t` would also match `ext-cap-name`; a list starting `a=`/`t=` that is not a valid
 * attribute/transport list is malformed, not an extension.
 */
function isReservedListName(name: string): boolean {
  return /^[at]$/i.test(name);
}

/** A pot-cfg-list / sel-cfg-list holds at most one `a=` and one `t=` list [RFC5939 §3.5.1, §3.5.2]. */
function hasRepeatedList(lists: readonly { kind: string }[]): boolean {
  const attributes = lists.filter((l) => l.kind === 'attributes').length;
  const transports = lists.filter((l) => l.kind === 'transports' || l.kind === 'transport').length;
  return attributes > 1 || transports > 1;
}

function checkNumber(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > MAX_CAPNEG_NUMBER) throw new RangeError(`capneg number out of range: ${n}`);
}
