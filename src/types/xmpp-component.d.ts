// Types for @xmpp/component 0.13.1 (CommonJS, ships no declarations). Only the surface the
// project uses is declared; ltx's Element is the XML tree every stanza is made of.
declare module '@xmpp/component' {
  export type Attrs = Record<string, string | number | undefined>;
  export type Node = Element | string;

  export class Element {
    constructor(name: string, attrs?: Attrs);
    name: string;
    attrs: Record<string, string>;
    children: Node[];
    parent: Element | null;
    is(name: string, xmlns?: string): boolean;
    getName(): string;
    getNS(): string | undefined;
    getAttr(name: string, xmlns?: string): string | undefined;
    getChild(name: string, xmlns?: string): Element | undefined;
    getChildren(name: string, xmlns?: string): Element[];
    getChildElements(): Element[];
    getChildText(name: string, xmlns?: string): string | null;
    getText(): string;
    text(): string;
    append(...nodes: Node[]): Element;
    c(name: string, attrs?: Attrs): Element;
    t(text: string): Element;
    up(): Element;
    root(): Element;
    toString(): string;
  }

  export interface XmlFactory {
    (name: string, attrs?: Attrs | null, ...children: (Node | Node[] | undefined | null | false)[]): Element;
    Element: typeof Element;
    Parser: new () => XmlStreamParser;
    escapeXML(s: string): string;
    escapeXMLText(s: string): string;
  }

  export interface XmlStreamParser {
    on(event: 'start' | 'element' | 'end', listener: (el: Element) => void): this;
    on(event: 'error', listener: (err: Error) => void): this;
    write(data: string): void;
    end(data?: string): void;
  }

  export interface JID {
    local: string;
    domain: string;
    resource: string;
    bare(): JID;
    toString(unescape?: boolean): string;
    getLocal(unescape?: boolean): string;
    getDomain(): string;
    getResource(): string;
    equals(other: JID): boolean;
  }

  export interface JidFactory {
    (address: string): JID;
    (local: string | undefined, domain: string, resource?: string): JID;
    escapeLocal(local: string): string;
    unescapeLocal(local: string): string;
  }

  export const xml: XmlFactory;
  export const jid: JidFactory;
  export function component(options: { service: string; domain: string; password: string }): unknown;
}
