/** Indented XML for people reading `translate` output; whitespace-only text is dropped. */
import { xml, type Element } from '@xmpp/component';

export function prettyXml(el: Element): string {
  return `${render(el, '')}\n`;
}

function render(el: Element, indent: string): string {
  const attrs = Object.entries(el.attrs)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${xml.escapeXML(v)}"`)
    .join('');
  const children = el.children.filter((c) => typeof c !== 'string' || c.trim() !== '');
  if (children.length === 0) return `${indent}<${el.name}${attrs}/>`;
  if (children.every((c) => typeof c === 'string')) {
    return `${indent}<${el.name}${attrs}>${xml.escapeXMLText(children.join('').trim())}</${el.name}>`;
  }
  const inner = children
    .map((c) => (typeof c === 'string' ? `${indent}  ${xml.escapeXMLText(c.trim())}` : render(c, `${indent}  `)))
    .join('\n');
  return `${indent}<${el.name}${attrs}>\n${inner}\n${indent}</${el.name}>`;
}
