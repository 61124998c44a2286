import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { xml } from '@xmpp/component';
import { findJingle, parseXmlElement } from '../../src/mapping/jingle/xml.ts';
import { assertXmlEqual, canonicalXml } from '../helpers/xml-equal.ts';
import { throwsCode } from '../helpers/jingle-fixtures.ts';

describe('parseXmlElement', () => {
  it('returns the single element, detached, with text and attributes unescaped', () => {
    const el = parseXmlElement(`<a xmlns='urn:x' b="1 &amp; 2"><c>x &lt; y</c><![CDATA[<raw>]]></a>`);
    assert.equal(el.name, 'a');
    assert.equal(el.parent, null);
    assert.equal(el.getNS(), 'urn:x');
    assert.equal(el.attrs.b, '1 & 2');
    assert.equal(el.getChildText('c'), 'x < y');
    assert.ok(el.children.includes('<raw>'));
  });

  it('accepts a leading XML declaration, a BOM, surrounding whitespace and comments', () => {
    const el = parseXmlElement(`\uFEFF<?xml version='1.0' encoding='UTF-8'?>\n<!-- golden -->\n<a/>\n`);
    assert.equal(el.name, 'a');
  });

  it('children get the namespace of their parent', () => {
    const el = parseXmlElement(`<iq><jingle xmlns='urn:xmpp:jingle:1'><content name='x'/></jingle></iq>`);
    assert.equal(el.getChild('jingle')?.getChild('content')?.getNS(), 'urn:xmpp:jingle:1');
  });

  const rejects: [string, string][] = [
    ['DOCTYPE', `<!DOCTYPE a [<!ENTITY x 'y'>]><a>&x;</a>`],
    ['ENTITY alone', `<a><!ENTITY x 'y'></a>`],
    ['processing instruction', `<a><?php echo 1 ?></a>`],
    ['a declaration that is not first', `<a/><?xml version='1.0'?>`],
    ['two top-level elements', `<a/><b/>`],
    ['no element', `   `],
    ['text outside the element', `hello <a/>`],
    ['text after the element', `<a/> trailing`],
    ['unclosed element', `<a><b></a>`],
    ['unclosed document', `<a>`],
    ['stray end tag', `<a/></b>`],
    ['undefined entity', `<a>&nbsp;</a>`],
    ['illegal character reference', `<a>&#0;</a>`],
    ['injected wrapper end', `<a/></jsg-root><b/>`],
  ];
  for (const [what, text] of rejects) {
    it(`rejects ${what} as malformed-jingle`, () => {
      throwsCode(() => parseXmlElement(text), 'malformed-jingle');
    });
  }

  it('enforces the depth limit (default 32)', () => {
    const nest = (n: number): string => '<a>'.repeat(n) + '</a>'.repeat(n);
    assert.equal(parseXmlElement(nest(32)).name, 'a');
    throwsCode(() => parseXmlElement(nest(33)), 'malformed-jingle', 'deeper');
    throwsCode(() => parseXmlElement(nest(3), { maxDepth: 2 }), 'malformed-jingle', 'deeper');
  });

  it('enforces the size limit in UTF-8 bytes (default 64 KiB)', () => {
    const big = `<a>${'x'.repeat(64 * 1024)}</a>`;
    throwsCode(() => parseXmlElement(big), 'malformed-jingle', 'larger');
    throwsCode(() => parseXmlElement(`<a>ü</a>`, { maxBytes: 8 }), 'malformed-jingle', 'larger');
    assert.equal(parseXmlElement(`<a>u</a>`, { maxBytes: 8 }).name, 'a');
  });

  it('a deep document within the byte limit does not exhaust the stack', () => {
    const n = 9_000; // 63 000 bytes
    throwsCode(() => parseXmlElement('<a>'.repeat(n) + '</a>'.repeat(n)), 'malformed-jingle', 'deeper');
  });
});

describe('findJingle', () => {
  it('finds <jingle/> in an <iq/> or returns it directly, in any namespace', () => {
    const iq = parseXmlElement(`<iq type='set'><jingle xmlns='urn:xmpp:jingle:0' action='x'/></iq>`);
    assert.equal(findJingle(iq).attrs.action, 'x');
    const jingle = parseXmlElement(`<jingle xmlns='urn:xmpp:jingle:1'/>`);
    assert.equal(findJingle(jingle), jingle);
  });
  it('anything else → malformed-jingle', () => {
    throwsCode(() => findJingle(parseXmlElement(`<iq type='set'><query/></iq>`)), 'malformed-jingle');
    throwsCode(() => findJingle(parseXmlElement(`<message/>`)), 'malformed-jingle');
  });
});

describe('canonicalXml / assertXmlEqual', () => {
  it('ignores attribute order, quotes, indentation and text padding', () => {
    assertXmlEqual(`<a y='2' x="1">\n  <b>  t  </b>\n</a>`, `<a x='1' y='2'><b>t</b></a>`);
  });

  it('treats an inherited namespace like an explicit identical one, and prefixes like default namespaces', () => {
    assertXmlEqual(`<a xmlns='urn:x'><b/></a>`, `<a xmlns='urn:x'><b xmlns='urn:x'/></a>`);
    assertXmlEqual(`<p:a xmlns:p='urn:x'><p:b/></p:a>`, `<a xmlns='urn:x'><b/></a>`);
  });

  it('compares built and parsed trees', () => {
    assertXmlEqual(xml('a', { xmlns: 'urn:x' }, xml('b', { n: 1 }, 'text')), `<a xmlns='urn:x'><b n='1'>text</b></a>`);
  });

  it('sees differing namespaces, values, text and element order', () => {
    assert.throws(() => {
      assertXmlEqual(`<a xmlns='urn:x'><b/></a>`, `<a xmlns='urn:x'><b xmlns='urn:y'/></a>`);
    });
    assert.throws(() => {
      assertXmlEqual(`<a x='1'/>`, `<a x='2'/>`);
    });
    assert.throws(() => {
      assertXmlEqual(`<a>t</a>`, `<a>u</a>`);
    });
    assert.throws(() => {
      assertXmlEqual(`<a><b/><c/></a>`, `<a><c/><b/></a>`);
    });
  });

  it('writes one element per line with sorted attributes', () => {
    assert.equal(
      canonicalXml(parseXmlElement(`<a xmlns='urn:x' z='1' b='2'><c>t</c><d/></a>`)),
      `<a xmlns="urn:x" b="2" z="1">\n  <c>t</c>\n  <d/>\n</a>`,
    );
  });
});
