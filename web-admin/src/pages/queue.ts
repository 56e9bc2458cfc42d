/**
 * Queue: mail waiting to go out, with the next attempt and the last error;
 * "Retry now" starts a delivery attempt, "Delete" drops the message without
 * a bounce after a confirmation. Refreshes while open.
 */
import { del, get, post, seg } from '../api.js';
import { formatBytes, formatTime, h, replace } from '../dom.js';
import type { QueueEntry } from '../types.js';
import { confirmDialog, errorText, say, section, statusLine, table, withProgress } from '../ui.js';

const REFRESH_MS = 10000;

export async function queuePage(main: HTMLElement): Promise<() => void> {
  const list = h('div');
  const line = statusLine();
  const load = async (): Promise<void> => {
    try {
      const q = await get<{ available: boolean; entries: QueueEntry[] }>('/api/queue');
      if (!q.available) {
        replace(list, h('p', { class: 'status error' }, 'The sending queue is not running, so nothing is being sent. Check Logs for the reason.'));
        return;
      }
      replace(list, table<QueueEntry>([
        { head: 'From', cell: (e) => e.sender || '(bounce)' },
        { head: 'To', cell: (e) => h('ul', { class: 'plain' }, e.recipients.map((r) => h('li', null, r.address, r.state && r.state !== 'pending' ? h('span', { class: 'badge muted' }, r.state) : null))) },
        { head: 'Size', cell: (e) => formatBytes(e.size) },
        { head: 'Waiting since', cell: (e) => formatTime(e.createdAt) },
        { head: 'Attempts', cell: (e) => String(e.attempts) },
        { head: 'Next attempt', cell: (e) => (e.nextAttemptAt === null ? '–' : formatTime(e.nextAttemptAt)) },
        { head: 'Last error', cell: (e) => (e.lastError ? h('span', { class: 'value' }, e.lastError) : '–') },
        { head: 'Actions', class: 'actions-cell', cell: (e) => actions(e, line, load) },
      ], q.entries, 'Nothing waiting: every message has been delivered.', 'Waiting messages'));
    } catch (err) {
      say(line, errorText(err), 'error');
    }
  };
  main.append(section('Waiting to be sent', h('p', { class: 'hint' }, 'Messages that could not be delivered yet are tried again with growing pauses, for up to five days, then returned to the sender.'), list, line));
  await load();
  const timer = setInterval(() => void load(), REFRESH_MS);
  return () => clearInterval(timer);
}

function actions(e: QueueEntry, line: HTMLElement, reload: () => Promise<void>): HTMLElement {
  const who = `the message from ${e.sender || 'the mail system'} to ${e.recipients.map((r) => r.address).join(', ')}`;
  const retry = h('button', { type: 'button', class: 'small', 'aria-label': `Retry ${who} now` }, 'Retry now');
  retry.addEventListener('click', () => {
    void withProgress(retry, 'Starting', async () => {
      await post(`/api/queue/${seg(e.id)}/retry`, {});
      say(line, 'Delivery attempt started.', 'ok');
      await reload();
    }, line);
  });
  const drop = h('button', { type: 'button', class: 'small danger', 'aria-label': `Delete ${who}` }, 'Delete');
  drop.addEventListener('click', () => {
    void (async () => {
      if (!(await confirmDialog(`Delete ${who}? It will not be delivered and the sender is not told.`, 'Delete message'))) return;
      await withProgress(drop, 'Deleting', async () => {
        await del(`/api/queue/${seg(e.id)}`);
        say(line, 'Message deleted.', 'ok');
        await reload();
      }, line);
    })();
  });
  return h('span', { class: 'btns' }, retry, drop);
}
