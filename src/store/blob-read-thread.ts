/**
 * The body reader thread (started by `blob-reader.ts`): reads several small
 * blob files per request with plain blocking calls and hands the bytes back
 * in one transferred buffer.
 *
 * Why a thread: every asynchronous fs call is a round trip through libuv's
 * thread pool, and a small body costs four of them (open, fstat, read,
 * close) — on the board that is ~100 µs of event-loop time per message,
 * more than sending it. Here the same four calls cost a few µs each and
 * never block the event loop, even when the SD card is slow.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import type { ReadReply, ReadRequest } from './blob-reader.js';

function read(req: ReadRequest): ReadReply {
  const fds: (number | null)[] = [];
  try {
    const sizes: number[] = [];
    let total = 0;
    for (const path of req.paths) {
      let fd: number;
      try {
        fd = openSync(path, 'r');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        fds.push(null);
        sizes.push(-1); // deleted since the caller learned its id
        continue;
      }
      fds.push(fd);
      const size = fstatSync(fd).size;
      sizes.push(size);
      total += size;
      // Checked before anything is allocated: the caller's budget is the memory bound.
      if (total > req.maxBytes) return { id: req.id, ok: false, kind: 'tooBig', message: `the bodies exceed ${req.maxBytes} bytes` };
    }
    const buffer = new ArrayBuffer(total);
    const bytes = new Uint8Array(buffer);
    let at = 0;
    fds.forEach((fd, i) => {
      const size = sizes[i] ?? -1;
      if (fd === null || size <= 0) return;
      // Bodies are immutable, so the size from fstat holds; a short read would mean a damaged file.
      for (let got = 0; got < size; ) {
        const n = readSync(fd, bytes, at + got, size - got, got);
        if (n === 0) throw new Error(`short read of ${req.paths[i] ?? 'a body'}`);
        got += n;
      }
      at += size;
    });
    return { id: req.id, ok: true, buffer, sizes };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { id: req.id, ok: false, kind: 'io', message: e.message, code: e.code };
  } finally {
    for (const fd of fds) {
      try {
        if (fd !== null) closeSync(fd);
      } catch {
        // a failed close of a read-only descriptor loses nothing
      }
    }
  }
}

parentPort?.on('message', (req: ReadRequest) => {
  const reply = read(req);
  parentPort?.postMessage(reply, reply.ok ? [reply.buffer] : []);
});
