import { UsageError } from './args.js';

/** The streams the password is read from and prompts are written to. */
export interface PasswordIo {
  stdin: NodeJS.ReadStream | NodeJS.ReadableStream;
  stderr: NodeJS.WritableStream;
}

/**
 * Gets a new password for `address` without ever taking it from argv:
 * - stdin is not a terminal (a pipe or file): the first line of stdin, without
 *   its line ending (`printf '%s\n' "$PW" | letterbox user add a@b`);
 * - stdin is a terminal: asks twice on stderr with echo off and fails with
 *   `UsageError` when the two differ. Ctrl-C or Ctrl-D cancel (`UsageError`).
 * The password policy is checked later, by the shared operation.
 */
export async function readNewPassword(io: PasswordIo, address: string): Promise<string> {
  const stdin = io.stdin as NodeJS.ReadStream;
  if (!stdin.isTTY) return readFirstLine(io.stdin);
  const first = await promptHidden(stdin, io.stderr, `New password for ${address}: `);
  const second = await promptHidden(stdin, io.stderr, 'Repeat the password: ');
  if (first !== second) throw new UsageError('the two passwords differ; nothing was changed');
  return first;
}

/** Reads up to the first newline (or end of input) and stops reading. */
function readFirstLine(stdin: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const done = (): void => {
      stdin.off('data', onData);
      stdin.off('end', done);
      stdin.off('error', onError);
      stdin.pause();
      const newline = text.indexOf('\n');
      const line = newline >= 0 ? text.slice(0, newline) : text;
      resolve(line.replace(/\r$/, ''));
    };
    const onData = (chunk: Buffer | string): void => {
      text += chunk.toString();
      if (text.includes('\n')) done();
    };
    const onError = (err: Error): void => reject(err);
    stdin.on('data', onData);
    stdin.once('end', done);
    stdin.once('error', onError);
    stdin.resume();
  });
}

/** Reads one line from a terminal in raw mode, echoing nothing. */
function promptHidden(stdin: NodeJS.ReadStream, stderr: NodeJS.WritableStream, prompt: string): Promise<string> {
  stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let text = '';
    const finish = (fn: () => void): void => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      stderr.write('\n');
      fn();
    };
    const onData = (chunk: Buffer | string): void => {
      for (const ch of chunk.toString()) {
        if (ch === '\r' || ch === '\n') return finish(() => resolve(text));
        if (ch === '\u0003' || ch === '\u0004') return finish(() => reject(new UsageError('cancelled')));
        if (ch === '\u007f' || ch === '\b') text = [...text].slice(0, -1).join('');
        else text += ch;
      }
    };
    stdin.setRawMode(true);
    stdin.on('data', onData);
    stdin.resume();
  });
}
