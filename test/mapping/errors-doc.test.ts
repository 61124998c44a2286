// docs/errors.md must document every errorCatalogue code, with the catalogue's own values, so a
// code added to src/mapping/errors.ts without its documentation row fails the build.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { errorCatalogue, type ErrorCode, type ErrorEntry } from '../../src/mapping/errors.ts';

const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
/** The "Error catalogue" section: from its heading to the next `## ` heading. */
const catalogueSection = doc.split(/^## /m).find((section) => section.startsWith('Error catalogue')) ?? '';

/** The cells of every table row in the catalogue section (Prettier pads them; trimmed here). */
const catalogueRows: string[][] = catalogueSection
  .split('\n')
  .filter((line) => line.startsWith('|'))
  .map((line) =>
    line
      .slice(1, line.trimEnd().endsWith('|') ? line.trimEnd().length - 1 : undefined)
      .split('|')
      .map((cell) => cell.trim()),
  );

/** The catalogue table row of `code`: code | when | XMPP | reason | SIP | example. */
function catalogueRow(code: string): string[] | undefined {
  return catalogueRows.find((cells) => cells[0] === `\`${code}\``);
}

describe('docs/errors.md documents the error catalogue', () => {
  for (const [code, entry] of Object.entries(errorCatalogue) as [ErrorCode, ErrorEntry][]) {
    it(`${code} has a row with its XMPP, reason and SIP values`, () => {
      const row = catalogueRow(code);
      assert.ok(row, `docs/errors.md has no catalogue row for \`${code}\``);
      const [, when, xmppCell, reasonCell, sipCell, example] = row;
      assert.ok(when !== undefined && when !== '', `${code}: "When" is empty`);
      assert.ok(example !== undefined && example !== '', `${code}: "Example" is empty`);

      const { disposition, condition, type, jingle } = entry.xmpp;
      if (disposition === 'terminate') {
        assert.equal(xmppCell, 'terminate', `${code}: XMPP column`);
      } else {
        const expected = `IQ error \`${condition}\` (${type})${jingle === undefined ? '' : ` + \`<${jingle}/>\``}`;
        assert.equal(xmppCell, expected, `${code}: XMPP column`);
      }
      assert.equal(reasonCell, `\`${entry.reason}\``, `${code}: Reason column`);
      const sip =
        entry.sip.warning === undefined ? `${entry.sip.status}` : `${entry.sip.status} + Warning ${entry.sip.warning}`;
      assert.ok(sipCell?.startsWith(sip), `${code}: SIP column "${sipCell ?? ''}" does not start with "${sip}"`);
    });
  }

  it('has a catalogue section', () => {
    assert.match(catalogueSection, /^Error catalogue\n/);
  });

  it('lists no code the catalogue does not have', () => {
    const documented = catalogueRows.map((cells) => /^`([a-z0-9-]+)`$/.exec(cells[0] ?? '')?.[1]);
    const extra = documented.filter((code) => code !== undefined && !(code in errorCatalogue));
    assert.deepEqual(extra, []);
  });
});
