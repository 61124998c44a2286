/**
 * Attribute and child access shared by the Jingle codec modules. Every structural fault in a
 * Jingle stanza is a `malformed-jingle` GatewayError (IQ error `bad-request`, X166 §6.3.2), whose
 * message names the element and attribute so the peer's developer can find it.
 */
import type { Element } from '@xmpp/component';
import { GatewayError } from '../errors.ts';

export function malformed(message: string): GatewayError {
  return new GatewayError('malformed-jingle', message);
}

/**
 * A control character (`&#10;`, `&#13;`, `&#0;`… are character references ltx accepts) would end
 * or split the SDP line the value is written into [RFC 8866 §5], e.g. inject an `a=` line; and
 * U+FFFE/U+FFFF or a lone surrogate is no character at all [XML 1.0 §2.2].
 */
const controlCharacter =
  // eslint-disable-next-line no-control-regex -- control characters are what is refused
  /[\0-\x1f\x7f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Attribute value, `undefined` when absent. An empty attribute counts as present. */
export function optionalAttr(el: Element, name: string): string | undefined {
  const value = el.attrs[name];
  if (value !== undefined && controlCharacter.test(value)) {
    throw malformed(`<${el.getName()}/> '${name}' contains a control character`);
  }
  return value;
}

/** Attribute that must be present and non-empty. */
export function requiredAttr(el: Element, name: string): string {
  const value = optionalAttr(el, name);
  if (value === undefined || value === '') throw malformed(`<${el.getName()}/> lacks the required '${name}' attribute`);
  return value;
}

/** Decimal non-negative integer (XML Schema `unsignedInt`-like: digits only, no sign or space). */
export function parseUint(value: string, what: string, max = 0xffffffff): number {
  if (!/^\d{1,10}$/.test(value)) throw malformed(`${what} is not a non-negative integer: ${value.slice(0, 20)}`);
  const n = Number(value);
  if (n > max) throw malformed(`${what} is larger than ${max}: ${value}`);
  return n;
}

export function requiredUint(el: Element, name: string, max?: number): number {
  return parseUint(requiredAttr(el, name), `<${el.getName()}/> '${name}'`, max);
}

export function optionalUint(el: Element, name: string, max?: number): number | undefined {
  const value = optionalAttr(el, name);
  return value === undefined ? undefined : parseUint(value, `<${el.getName()}/> '${name}'`, max);
}

/** One of a closed set of values; `undefined` when absent. */
export function optionalEnum<T extends string>(el: Element, name: string, allowed: readonly T[]): T | undefined {
  const value = optionalAttr(el, name);
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw malformed(`<${el.getName()}/> '${name}' must be one of ${allowed.join(', ')}, not ${value.slice(0, 30)}`);
  }
  return value as T;
}

/** XML Schema boolean [XSD §3.2.2]: `true`/`1` or `false`/`0`. */
export function optionalBoolean(el: Element, name: string): boolean | undefined {
  const value = optionalAttr(el, name);
  if (value === undefined) return undefined;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw malformed(`<${el.getName()}/> '${name}' is not a boolean: ${value.slice(0, 20)}`);
}

/** Child elements with a given local name and namespace, in document order. */
export function children(el: Element, name: string, ns: string): Element[] {
  return el.getChildElements().filter((child) => child.getName() === name && child.getNS() === ns);
}

/** At most one child of that name and namespace; two are a structural fault. */
export function singleChild(el: Element, name: string, ns: string): Element | undefined {
  const found = children(el, name, ns);
  if (found.length > 1) throw malformed(`<${el.getName()}/> has more than one <${name}/> in ${ns}`);
  return found[0];
}
