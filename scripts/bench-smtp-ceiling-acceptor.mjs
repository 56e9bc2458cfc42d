#!/usr/bin/env node
// One reference SMTP acceptor for scripts/bench-smtp-ceiling.mjs. It is not Letterbox and never
// ships: it exists to measure what accepting mail can cost at best on the machine at hand.
//
//   node scripts/bench-smtp-ceiling-acceptor.mjs MODE SPOOL_DIR
//
// It listens on 127.0.0.1 on an ephemeral port, prints "listening PORT" and serves until
// SIGTERM. MODE:
//   library-sink   smtp-server (the library Letterbox is built on), every message thrown away
//   minimal-sink   a hand-written acceptor that understands just enough SMTP for smtp-source,
//                  every message thrown away
//   minimal-fsync  the same, and each message is made durable the way Letterbox does it before
//                  its 250: temporary file, write, fsync, rename, fsync of the directory
//   minimal-group  the same, but messages are appended to one file and every message waiting
//                  at a moment shares one fdatasync (group commit; one file, no rename)
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { createRequire } from 'node:module';

const [mode, spoolDir] = process.argv.slice(2);
const MODES = ['library-sink', 'minimal-sink', 'minimal-fsync', 'minimal-group'];
if (!MODES.includes(mode ?? '') || !spoolDir) {
  console.error(`usage: bench-smtp-ceiling-acceptor.mjs ${MODES.join('|')} SPOOL_DIR`);
  process.exit(2);
}
fs.mkdirSync(spoolDir, { recursive: true });

/** Letterbox's durability steps for one message, with nothing else around them. */
function fileWriter() {
  const dirFd = fs.openSync(spoolDir, 'r');
  let seq = 0;
  return async (message) => {
    const n = ++seq;
    const tmp = path.join(spoolDir, `tmp-${n}`);
    const fh = await fsp.open(tmp, 'wx');
    try {
      await fh.write(message);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fsp.rename(tmp, path.join(spoolDir, `msg-${n}`));
    await new Promise((resolve, reject) => fs.fsync(dirFd, (err) => (err ? reject(err) : resolve())));
  };
}

/** Group commit: appends go out at once, one fdatasync covers every message waiting for it. */
function groupWriter() {
  const fd = fs.openSync(path.join(spoolDir, 'spool.log'), 'a');
  let waiting = [];
  let syncing = false;
  const syncWaiting = () => {
    if (syncing || waiting.length === 0) return;
    syncing = true;
    const batch = waiting;
    waiting = [];
    fs.fdatasync(fd, (err) => {
      if (err) throw err;
      syncing = false;
      for (const done of batch) done();
      syncWaiting();
    });
  };
  return (message) => new Promise((resolve) => {
    fs.write(fd, message, (err) => {
      if (err) throw err;
      waiting.push(resolve);
      syncWaiting();
    });
  });
}

const END_OF_DATA = Buffer.from('\r\n.\r\n');

/** Just enough SMTP for smtp-source: one command per line, DATA until CRLF.CRLF. */
function minimalServer(store) {
  return net.createServer((socket) => {
    let inData = false;
    let pendingLine = '';
    let body = [];
    let tail = Buffer.alloc(0);
    socket.on('error', () => {});
    socket.write('220 ceiling ESMTP\r\n');
    const onCommands = (text) => {
      pendingLine += text;
      let eol;
      while (!inData && (eol = pendingLine.indexOf('\r\n')) >= 0) {
        const verb = pendingLine.slice(0, Math.min(eol, 4)).toUpperCase();
        pendingLine = pendingLine.slice(eol + 2);
        if (verb === 'EHLO' || verb === 'HELO') socket.write('250-ceiling\r\n250 PIPELINING\r\n');
        else if (verb === 'DATA') {
          inData = true;
          socket.write('354 End data with <CR><LF>.<CR><LF>\r\n');
          if (pendingLine) onData(Buffer.from(pendingLine, 'latin1'));
          pendingLine = '';
        } else if (verb === 'QUIT') socket.end('221 2.0.0 Bye\r\n');
        else socket.write('250 2.0.0 Ok\r\n');
      }
    };
    const onData = (chunk) => {
      body.push(chunk);
      tail = Buffer.concat([tail, chunk.subarray(-5)]).subarray(-5);
      if (!tail.equals(END_OF_DATA)) return;
      inData = false;
      const message = Buffer.concat(body);
      body = [];
      tail = Buffer.alloc(0);
      store(message).then(() => socket.write('250 2.0.0 Ok: queued\r\n'), () => socket.write('451 4.3.0 Error\r\n'));
    };
    socket.on('data', (chunk) => (inData ? onData(chunk) : onCommands(chunk.toString('latin1'))));
  });
}

/** smtp-server as Letterbox configures it for port 25, minus everything Letterbox adds. */
function librarySink() {
  const require = createRequire(import.meta.url);
  const { SMTPServer } = require('smtp-server');
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    disableReverseLookup: true,
    logger: false,
    size: 25 * 1024 * 1024,
    onData(stream, _session, callback) {
      stream.on('data', () => {});
      stream.on('end', () => callback());
    },
  });
  // Letterbox replaces the library's 100 ms early-talker pause with its own (20 ms by default);
  // the ceiling is measured without any pause.
  server.connect = function connect(socket, socketOptions) {
    const { SMTPConnection } = require(path.join(path.dirname(require.resolve('smtp-server')), 'smtp-connection.js'));
    const connection = new SMTPConnection(this, socket, socketOptions);
    this.connections.add(connection);
    connection.on('error', (err) => this._onError(err));
    connection.on('connect', (data) => this._onClientConnect(data));
    connection._setListeners(() => connection.connectionReady());
  };
  return server;
}

const server = mode === 'library-sink' ? librarySink()
  : minimalServer(mode === 'minimal-fsync' ? fileWriter() : mode === 'minimal-group' ? groupWriter() : async () => {});
// smtp-server keeps its net.Server in `.server`; the minimal acceptor is one.
const netServer = server.server ?? server;
server.listen(0, '127.0.0.1', () => console.log(`listening ${netServer.address().port}`));
process.on('SIGTERM', () => process.exit(0));
