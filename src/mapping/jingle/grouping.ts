/**
 * XEP-0338 Jingle Grouping Framework 1.0.0 (`urn:xmpp:jingle:apps:grouping:0`):
 * `<group semantics><content name/>…</group>` as a child of `<jingle/>` ⇄ session-level
 * `a=group:<semantics> <mid> …` [X338 §2; RFC5888 §5; §1.1].
 */
import { xml, type Element } from '@xmpp/component';
import type { ContentGroup } from '../model.ts';
import { children, requiredAttr } from './attrs.ts';
import { NS_GROUPING } from './namespaces.ts';

export function parseGroups(jingle: Element): ContentGroup[] {
  return children(jingle, 'group', NS_GROUPING).map((el) => ({
    semantics: requiredAttr(el, 'semantics'),
    contents: el
      .getChildElements()
      .filter((child) => child.getName() === 'content')
      .map((child) => requiredAttr(child, 'name')),
  }));
}

export function buildGroup(group: ContentGroup): Element {
  return xml(
    'group',
    { xmlns: NS_GROUPING, semantics: group.semantics },
    group.contents.map((name) => xml('content', { name })),
  );
}
