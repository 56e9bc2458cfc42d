/**
 * LIST (RFC 3501 §6.3.8) with LIST-EXTENDED (RFC 5258), LIST-STATUS (RFC
 * 5819), SPECIAL-USE (RFC 6154) and CHILDREN (RFC 3348), and LSUB (§6.3.9).
 *
 * Every mailbox can hold children, so there is no \Noinferiors; a level
 * that only exists as the parent of another mailbox (`a` of `a/b` after `a`
 * was deleted) is listed as \NonExistent \Noselect. Special-use attributes
 * are always shown (RFC 6154 §2 allows it; Dovecot does the same).
 */
import type { MailboxInfo } from '../../store/types.js';
import { fullPattern, matchPattern } from '../list-match.js';
import { SEPARATOR, parentsOf } from '../mailbox-rules.js';
import { accountOf, defineCommand, ok, type CommandContext } from '../session.js';
import { statusResponse } from '../status-items.js';
import { mailboxString } from '../wire.js';

interface Entry {
  name: string;
  box: MailboxInfo | null;
  hasChildren: boolean;
  subscribed: boolean;
}

async function entries(ctx: CommandContext): Promise<Entry[]> {
  const boxes = await accountOf(ctx).listMailboxes();
  const byName = new Map<string, Entry>();
  for (const box of boxes) byName.set(box.name, { name: box.name, box, hasChildren: false, subscribed: box.subscribed });
  for (const box of boxes) {
    for (const parent of parentsOf(box.name)) {
      const e = byName.get(parent) ?? { name: parent, box: null, hasChildren: false, subscribed: false };
      e.hasChildren = true;
      byName.set(parent, e);
    }
  }
  return [...byName.values()];
}

function line(kind: 'LIST' | 'LSUB', attrs: string[], name: string, extended = ''): string {
  return `* ${kind} (${attrs.join(' ')}) "${SEPARATOR}" ${mailboxString(name)}${extended}\r\n`;
}

export const listCommand = defineCommand({
  names: ['LIST'],
  states: ['authenticated', 'selected'],
  async run(ctx, cmd) {
    const patterns = cmd.patterns.map((p) => fullPattern(cmd.reference, p));
    if (patterns.length === 1 && cmd.patterns[0] === '' && !cmd.extended) {
      // §6.3.8: an empty pattern asks for the hierarchy delimiter.
      await ctx.write(`* LIST (\\Noselect) "${SEPARATOR}" ""\r\n`);
      return ok('LIST completed');
    }
    const sel = cmd.selection;
    const ret = cmd.returns;
    const out: string[] = [];
    const all = await entries(ctx);
    // RFC 5258 §3.5: with RECURSIVEMATCH a parent of a subscribed mailbox is listed with CHILDINFO.
    const subscribedBelow = (name: string) => all.some((o) => o.subscribed && o.name.startsWith(`${name}${SEPARATOR}`));
    for (const e of all) {
      if (!patterns.some((p) => matchPattern(p, e.name))) continue;
      const childInfo = sel.subscribed && sel.recursiveMatch && subscribedBelow(e.name);
      if (sel.subscribed && !e.subscribed && !childInfo) continue;
      if (sel.specialUse && !e.box?.specialUse) continue;
      const attrs: string[] = [];
      if (!e.box) attrs.push('\\NonExistent', '\\Noselect');
      attrs.push(e.hasChildren ? '\\HasChildren' : '\\HasNoChildren');
      if (e.subscribed && (sel.subscribed || ret.subscribed)) attrs.push('\\Subscribed');
      if (e.box?.specialUse) attrs.push(e.box.specialUse);
      out.push(line('LIST', attrs, e.name, childInfo ? ' ("CHILDINFO" ("SUBSCRIBED"))' : ''));
      if (ret.status && e.box) out.push(`${statusResponse(ctx, e.box, ret.status)}\r\n`);
    }
    await ctx.write(out.join(''));
    return ok('LIST completed');
  },
});

export const lsubCommand = defineCommand({
  names: ['LSUB'],
  states: ['authenticated', 'selected'],
  async run(ctx, cmd) {
    const pattern = fullPattern(cmd.reference, cmd.pattern);
    const out: string[] = [];
    for (const e of await entries(ctx)) {
      if (!e.subscribed || !matchPattern(pattern, e.name)) continue;
      out.push(line('LSUB', e.box?.specialUse ? [e.box.specialUse] : [], e.name));
    }
    await ctx.write(out.join(''));
    return ok('LSUB completed');
  },
});
