import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  MAX_HEADER_BYTES,
  StanzaGuard,
  type DroppedStanza,
  type StreamViolation,
} from '../../src/xmpp/stanza-guard.ts';

const HEADER =
  "<?xml version='1.0'?><stream:stream xmlns='jabber:component:accept' xmlns:stream='http://etherx.jabber.org/streams' id='s1' from='gw.example.test'>";

function harness(limits = { maxStanzaBytes: 200, maxDepth: 4 }) {
  const forwarded: string[] = [];
  const dropped: DroppedStanza[] = [];
  const violations: StreamViolation[] = [];
  const guard = new StanzaGuard(limits, {
    forward: (text) => forwarded.push(text),
    dropped: (stanza) => dropped.push(stanza),
    violation: (violation) => violations.push(violation),
  });
  return { guard, forwarded, dropped, violations, text: () => forwarded.join('') };
}

describe('StanzaGuard', () => {
  it('passes the header at once and whole stanzas only when complete', () => {
    const h = harness();
    h.guard.write(HEADER);
    assert.deepEqual(h.forwarded, [HEADER]);
    h.guard.write("<message to='a@b'><body>hi");
    assert.deepEqual(h.forwarded, [HEADER]);
    h.guard.write('</body></message>');
    assert.equal(h.text(), `${HEADER}<message to='a@b'><body>hi</body></message>`);
  });

  it('feeds identical text whatever the chunking, one character at a time included', () => {
    const stream = `${HEADER}<iq type='get' id="x>y" to='gw'><q xmlns='n' a='/>'/></iq> <presence/><message><![CDATA[<not a tag>]]></message></stream:stream>`;
    const h = harness();
    for (const ch of stream) h.guard.write(ch);
    assert.equal(
      h.text(),
      `${HEADER}<iq type='get' id="x>y" to='gw'><q xmlns='n' a='/>'/></iq><presence/><message><![CDATA[<not a tag>]]></message></stream:stream>`,
    );
    assert.deepEqual(h.dropped, []);
    assert.deepEqual(h.violations, []);
  });

  it('drops whitespace keepalives between stanzas', () => {
    const h = harness();
    h.guard.write(`${HEADER} \n `);
    h.guard.write('<presence/>\n');
    assert.equal(h.text(), `${HEADER}<presence/>`);
  });

  it('drops an oversize stanza, reports its start tag, and keeps the stream going', () => {
    const h = harness({ maxStanzaBytes: 100, maxDepth: 4 });
    h.guard.write(HEADER);
    const big = `<iq type='set' id='big' from='u@example.test/r' to='x@gw'><data>${'a'.repeat(150)}</data></iq>`;
    h.guard.write(big.slice(0, 70));
    h.guard.write(big.slice(70));
    h.guard.write("<iq type='get' id='small'/>");
    assert.equal(h.text(), `${HEADER}<iq type='get' id='small'/>`);
    assert.deepEqual(h.dropped, [
      { reason: 'size', startTag: "<iq type='set' id='big' from='u@example.test/r' to='x@gw'>" },
    ]);
  });

  it('counts UTF-8 bytes, not UTF-16 code units', () => {
    const h = harness({ maxStanzaBytes: 40, maxDepth: 4 });
    h.guard.write(HEADER);
    // 20 × "é" = 40 bytes of text, 20 code units.
    h.guard.write(`<m>${'é'.repeat(20)}</m>`);
    assert.equal(h.text(), HEADER);
    assert.equal(h.dropped[0]?.reason, 'size');
  });

  it('reports no start tag when the limit is hit inside it', () => {
    const h = harness({ maxStanzaBytes: 30, maxDepth: 4 });
    h.guard.write(HEADER);
    h.guard.write(`<iq id='${'x'.repeat(40)}'/><presence/>`);
    assert.deepEqual(h.dropped, [{ reason: 'size', startTag: undefined }]);
    assert.equal(h.text(), `${HEADER}<presence/>`);
  });

  it('drops a stanza nested deeper than maxDepth', () => {
    const h = harness({ maxStanzaBytes: 1000, maxDepth: 3 });
    h.guard.write(HEADER);
    h.guard.write("<iq id='ok'><a><b/></a></iq>");
    h.guard.write("<iq id='deep' type='get'><a><b><c/></b></a></iq>");
    h.guard.write('<presence/>');
    assert.equal(h.text(), `${HEADER}<iq id='ok'><a><b/></a></iq><presence/>`);
    assert.deepEqual(h.dropped, [{ reason: 'depth', startTag: "<iq id='deep' type='get'>" }]);
  });

  for (const [name, input, kind] of [
    ['DOCTYPE', "<!DOCTYPE stream [<!ENTITY x 'y'>]>", 'doctype'],
    ['comment', '<!-- hello -->', 'comment'],
    ['processing instruction inside the stream', '<?evil data?>', 'processing-instruction'],
    ['XML declaration after the header', "<?xml version='1.0'?>", 'processing-instruction'],
    ['markup declaration', '<!ENTITY x "y">', 'markup-declaration'],
  ] as const) {
    it(`refuses a ${name} and discards everything after it`, () => {
      const h = harness();
      h.guard.write(`${HEADER}<presence/>`);
      h.guard.write(`${input}<message><body>after</body></message>`);
      h.guard.write('<presence/>');
      assert.deepEqual(h.violations, [{ kind }]);
      assert.equal(h.text(), `${HEADER}<presence/>`);
    });
  }

  it('refuses a DOCTYPE before the stream header', () => {
    const h = harness();
    h.guard.write("<?xml version='1.0'?><!DOCTYPE x><stream:stream>");
    assert.deepEqual(h.violations, [{ kind: 'doctype' }]);
    assert.equal(h.text(), '');
  });

  it('refuses a DOCTYPE inside a stanza', () => {
    const h = harness();
    h.guard.write(`${HEADER}<message><!DOCTYPE x></message>`);
    assert.deepEqual(h.violations, [{ kind: 'doctype' }]);
    assert.equal(h.text(), HEADER);
  });

  it('refuses an oversize stream header', () => {
    const h = harness();
    h.guard.write(`<stream:stream id='${'x'.repeat(MAX_HEADER_BYTES)}'>`);
    assert.deepEqual(h.violations, [{ kind: 'oversize-header' }]);
  });

  it('passes the stream footer and starts over after reset()', () => {
    const h = harness();
    h.guard.write(`${HEADER}<presence/></stream:stream>`);
    assert.equal(h.text(), `${HEADER}<presence/></stream:stream>`);
    h.guard.reset();
    h.forwarded.length = 0;
    h.guard.write(`${HEADER}<presence/>`);
    assert.equal(h.text(), `${HEADER}<presence/>`);
  });
});
