/**
 * XML comparison for tests and the golden-file runner: two trees are equal when they differ only
 * in attribute order, indentation (whitespace-only text), surrounding whitespace of text, quote
 * style, and how namespaces are spelled (an inherited xmlns equals an explicit identical one; a
 * prefix equals the default namespace it resolves to). Element order is significant.
 */
import assert from 'node:assert/strict';
import type { Element } from '@xmpp/component';
import { parseXmlElement } from '../../src/mapping/jingle/xml.ts';

const generousLimits = { maxBytes: 4 * 1024 * 1024, maxDepth: 256 };

function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeAttr(s: string): string {
  return escapeText(s).replace(/"/g, '&quot;');
}

function isNamespaceDeclaration(name: string): boolean {
  return name === 'xmlns' || name.startsWith('xmlns:');
}

/** Indented canonical text of `el`: one element per line, attributes sorted, xmlns only where it changes. */
export function canonicalXml(el: Element): string {
  const lines: string[] = [];
  write(el, undefined, 0, lines);
  return lines.join('\n');
}

function write(el: Element, parentNs: string | undefined, indent: number, lines: string[]): void {
  const pad = '  '.repeat(indent);
  const ns = el.getNS();
  const attrs = Object.entries(el.attrs)
    .filter(([name, value]) => !isNamespaceDeclaration(name) && value !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => ` ${name}="${escapeAttr(value)}"`);
  if (ns !== parentNs) attrs.unshift(` xmlns="${escapeAttr(ns ?? '')}"`);
  const open = `<${el.getName()}${attrs.join('')}`;

  const nodes: (Element | string)[] = [];
  let text = '';
  const flush = (): void => {
    const trimmed = text.trim();
    if (trimmed !== '') nodes.push(trimmed);
    text = '';
  };
  for (const child of el.children) {
    if (typeof child === 'string') text += child;
    else {
      flush();
      nodes.push(child);
    }
  }
  flush();

  if (nodes.length === 0) lines.push(`${pad}${open}/>`);
  else if (nodes.length === 1 && typeof nodes[0] === 'string') {
    lines.push(`${pad}${open}>${escapeText(nodes[0])}</${el.getName()}>`);
  } else {
    lines.push(`${pad}${open}>`);
    for (const node of nodes) {
      if (typeof node === 'string') lines.push(`${pad}  ${escapeText(node)}`);
      else write(node, ns, indent + 1, lines);
    }
    lines.push(`${pad}</${el.getName()}>`);
  }
}

function toElement(value: Element | string): Element {
  return typeof value === 'string' ? parseXmlElement(value, generousLimits) : value;
}

/** Asserts canonical equality; the failure shows a line diff of both canonical forms. */
export function assertXmlEqual(actual: Element | string, expected: Element | string, message?: string): void {
  assert.equal(canonicalXml(toElement(actual)), canonicalXml(toElement(expected)), message);
}
