/**
 * Small building blocks shared by the pages: labelled fields, forms that show
 * their own errors, buttons that show progress while a long call runs, copy
 * buttons, a confirmation dialog and responsive tables. Everything is plain
 * DOM so the page stays a few kilobytes and works from the keyboard.
 */
import { ApiError } from './api.js';
import { h, replace, uid, type Attrs, type Child } from './dom.js';

/** A label and its control, paired by id so screen readers announce the label. */
export function field(label: string, control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement, hint?: string): HTMLElement {
  if (!control.id) control.id = uid();
  let hintEl: HTMLElement | null = null;
  if (hint) {
    hintEl = h('small', { id: `${control.id}-hint`, class: 'hint' }, hint);
    control.setAttribute('aria-describedby', hintEl.id);
  }
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control, hintEl);
}

/** A text-like input; `name` doubles as the form key. */
export function input(name: string, attrs: Attrs = {}): HTMLInputElement {
  return h('input', { name, type: 'text', autocomplete: 'off', spellcheck: 'false', ...attrs });
}

/** A checkbox with its label to the right, the usual reading order for toggles. */
export function checkbox(name: string, label: string, checked = false): { el: HTMLElement; box: HTMLInputElement } {
  const box = h('input', { type: 'checkbox', name, id: uid(), checked });
  return { el: h('div', { class: 'field check' }, box, h('label', { for: box.id }, label)), box };
}

/** A select with value/label pairs. */
export function select(name: string, options: [string, string][], value = ''): HTMLSelectElement {
  return h('select', { name }, options.map(([v, l]) => h('option', { value: v, selected: v === value }, l)));
}

/** What a submitted form holds; a field that is missing or a file reads as ''. */
export interface FormValues {
  get(name: string): string;
}

function valuesOf(f: HTMLFormElement): FormValues {
  const data = new FormData(f);
  return {
    get: (name) => {
      const v = data.get(name);
      return typeof v === 'string' ? v : '';
    },
  };
}

/** Turns a thrown value into one sentence for the owner. */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}

/** A line that announces errors and results to screen readers as they appear. */
export function statusLine(): HTMLElement {
  return h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
}

/** Shows a message in a status line; kind "error" also marks it for styling. */
export function say(line: HTMLElement, text: string, kind: 'ok' | 'error' | 'info' = 'info'): void {
  line.className = `status ${kind}`;
  line.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  replace(line, text);
}

/**
 * Runs `work` while the button is disabled and a progress bar with elapsed
 * seconds is shown, so the owner sees that a DNS check or a key generation
 * is still going. Errors go to `line` (when given) and are not rethrown.
 */
export async function withProgress<T>(button: HTMLButtonElement, label: string, work: (progress: (fraction: number | null, text?: string) => void) => Promise<T>, line?: HTMLElement): Promise<T | undefined> {
  const bar = h('progress', { max: '1', 'aria-label': label });
  const text = h('span', { class: 'progress-text' }, `${label}…`);
  const box = h('span', { class: 'progress', role: 'status', 'aria-live': 'polite' }, bar, text);
  const started = Date.now();
  const tick = setInterval(() => {
    text.textContent = `${label}… ${Math.round((Date.now() - started) / 1000)} s`;
  }, 1000);
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  button.after(box);
  try {
    return await work((fraction, t) => {
      if (fraction === null) bar.removeAttribute('value');
      else bar.value = fraction;
      if (t) text.textContent = t;
    });
  } catch (err) {
    if (line) say(line, errorText(err), 'error');
    else throw err;
    return undefined;
  } finally {
    clearInterval(tick);
    box.remove();
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
}

/**
 * A form whose submit handler receives the values as an object; the submit
 * button shows progress while the handler runs and errors appear under the
 * form. `onSubmit` returning a string shows it as a success message.
 */
export function form(fields: Child[], submitLabel: string, onSubmit: (values: FormValues, f: HTMLFormElement) => Promise<string | void>, attrs: Attrs = {}): HTMLFormElement {
  const line = statusLine();
  const button = h('button', { type: 'submit', class: 'primary' }, submitLabel);
  const f = h('form', { novalidate: false, ...attrs }, fields, h('div', { class: 'actions' }, button), line);
  f.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (!f.reportValidity()) return;
    const values = valuesOf(f);
    say(line, '');
    void withProgress(button, submitLabel, async () => {
      const msg = await onSubmit(values, f);
      if (msg) say(line, msg, 'ok');
    }, line);
  });
  return f;
}

/** A button that copies `text()` to the clipboard and says so. */
export function copyButton(text: () => string, what: string): HTMLButtonElement {
  const b = h('button', { type: 'button', class: 'small', 'aria-label': `Copy ${what}` }, 'Copy');
  b.addEventListener('click', () => {
    void copyText(text()).then((ok) => {
      b.textContent = ok ? 'Copied' : 'Select and copy';
      setTimeout(() => (b.textContent = 'Copy'), 2000);
    });
  });
  return b;
}

async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // Older phones without the async clipboard: copy from a hidden textarea.
    const ta = h('textarea', { class: 'offscreen', 'aria-hidden': 'true' });
    ta.value = text;
    document.body.append(ta);
    ta.select();
    const ok = document.execCommand('copy');
    ta.remove();
    return ok;
  }
}

/** Asks a yes/no question in a modal dialog (Escape and Cancel say no). */
export function confirmDialog(question: string, yesLabel: string): Promise<boolean> {
  return new Promise((resolve) => {
    const yes = h('button', { type: 'submit', value: 'yes', class: 'danger' }, yesLabel);
    const no = h('button', { type: 'submit', value: 'no' }, 'Cancel');
    const dlg = h('dialog', { 'aria-labelledby': uid('q') }, h('form', { method: 'dialog' }, h('p', null, question), h('div', { class: 'actions' }, no, yes)));
    dlg.querySelector('p')!.id = dlg.getAttribute('aria-labelledby')!;
    dlg.addEventListener('close', () => {
      resolve(dlg.returnValue === 'yes');
      dlg.remove();
    });
    document.body.append(dlg);
    dlg.showModal();
    no.focus();
  });
}

/** One column of a responsive table: header text and a cell renderer. */
export interface Column<T> {
  head: string;
  cell: (row: T) => Child;
  class?: string;
}

/** A table that turns into labelled cards on narrow screens (CSS reads `data-label`). */
export function table<T>(columns: Column<T>[], rows: T[], empty: string, caption?: string): HTMLElement {
  if (rows.length === 0) return h('p', { class: 'empty' }, empty);
  return h('div', { class: 'table-wrap' }, h('table', { class: 'cards' },
    caption ? h('caption', null, caption) : null,
    h('thead', null, h('tr', null, columns.map((c) => h('th', { scope: 'col' }, c.head)))),
    h('tbody', null, rows.map((r) => h('tr', null, columns.map((c) => h('td', { 'data-label': c.head, class: c.class }, c.cell(r))))))));
}

/** A coloured status word; colour is never the only signal, the word is always there. */
export function badge(text: string, kind: string): HTMLElement {
  return h('span', { class: `badge ${kind.toLowerCase()}` }, text);
}

/** A page section with a heading. */
export function section(title: string, ...children: Child[]): HTMLElement {
  const id = uid('s');
  return h('section', { class: 'card', 'aria-labelledby': id }, h('h2', { id }, title), ...children);
}

/**
 * A modal form: resolves with the entered values, or null when cancelled.
 * The browser's own validation runs before it closes.
 */
export function formDialog(title: string, fields: HTMLElement[], okLabel: string): Promise<FormValues | null> {
  return new Promise((resolve) => {
    const titleId = uid('d');
    const ok = h('button', { type: 'submit', class: 'primary', value: 'ok' }, okLabel);
    const cancel = h('button', { type: 'button' }, 'Cancel');
    const f = h('form', { method: 'dialog' }, h('h2', { id: titleId }, title), fields, h('div', { class: 'actions' }, cancel, ok));
    const dlg = h('dialog', { 'aria-labelledby': titleId }, f);
    let values: FormValues | null = null;
    f.addEventListener('submit', () => {
      values = valuesOf(f);
    });
    cancel.addEventListener('click', () => dlg.close());
    dlg.addEventListener('close', () => {
      resolve(dlg.returnValue === 'ok' ? values : null);
      dlg.remove();
    });
    document.body.append(dlg);
    dlg.showModal();
    f.querySelector<HTMLElement>('input,select,textarea')?.focus();
  });
}
