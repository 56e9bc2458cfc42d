import { ensureDataDir, loadConfig } from '../config/load.js';
import pino from 'pino';
import { createLogger } from '../log/logger.js';
import { linkServiceManager } from '../system/service-manager.js';

/** Streams `start` prints to. */
export interface StartIo {
  stdout: NodeJS.WritableStream;
}

/**
 * `letterbox start`: runs the appliance in the foreground until SIGTERM or
 * SIGINT, then closes it and resolves with exit code 0.
 *
 * Creates the data directory (0700) and, on first start, a boot file holding
 * the host name. stdout gets only these lines, one per event, so scripts and
 * tests can wait for them:
 *   `smtp listening on 127.0.0.1:2525`   (one per service, as each starts)
 *   `letterbox ready: data in /var/lib/letterbox`
 *   `letterbox stopping (SIGTERM)` and, once closed, `letterbox stopped`
 * JSON log lines go to stderr (journald collects both). A second signal while
 * stopping exits at once with code 1. Rejects when the config is invalid or a
 * service cannot start (everything opened is closed first by `startAppliance`).
 */
export async function runStart(dataDir: string, io: StartIo): Promise<number> {
  await ensureDataDir(dataDir);
  const config = await loadConfig(dataDir, { writeDefault: true });
  // JSON logs go to stderr; info and above also feed the admin page's log view.
  const { createLogRing } = await import('../admin/log-ring.js');
  const logRing = createLogRing();
  const log = createLogger({
    level: config.log.level,
    destination: pino.multistream([
      { level: config.log.level === 'silent' ? 'fatal' : config.log.level, stream: pino.destination({ dest: 2, sync: false }) },
      { level: 'info', stream: logRing },
    ]),
  });
  // Listen for signals before starting, so a stop request during start-up
  // waits for the services to come up and then closes them cleanly.
  const stopSignal = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  // Under systemd (the firmware's unit is Type=notify with WatchdogSec=) the
  // watchdog pings start now, so a slow first start is not mistaken for a hang.
  const serviceManager = linkServiceManager({ log });
  // Loaded here, not at the top, so other commands never load the services.
  const { startAppliance } = await import('../main.js');
  const appliance = await startAppliance({
    dataDir,
    config,
    log,
    logRing,
    onListening: (service, address) => {
      io.stdout.write(`${service} listening on ${address}\n`);
    },
    onSetupToken: (token, address) => {
      const port = address.slice(address.lastIndexOf(':') + 1);
      io.stdout.write(`setup token: ${token} (open https://${config.hostname}:${port}/ to claim this box; also in ${dataDir}/setup-token)\n`);
    },
  });
  io.stdout.write(`letterbox ready: data in ${dataDir}\n`);
  log.info({ dataDir, hostname: config.hostname }, 'letterbox ready');
  await serviceManager.ready('serving mail');

  const signal = await stopSignal;
  io.stdout.write(`letterbox stopping (${signal})\n`);
  await serviceManager.stopping();
  const forceExit = (): void => {
    io.stdout.write('letterbox: second signal, exiting without a clean shutdown\n');
    process.exit(1);
  };
  process.once('SIGTERM', forceExit);
  process.once('SIGINT', forceExit);
  try {
    await appliance.close();
  } finally {
    process.off('SIGTERM', forceExit);
    process.off('SIGINT', forceExit);
    serviceManager.close();
    log.info('letterbox stopped');
    log.flush();
  }
  io.stdout.write('letterbox stopped\n');
  return 0;
}
