import { ensureDataDir } from '../config/load.js';
import { MailError } from '../errors.js';
import { parseArgs, UsageError } from './args.js';
import type { ManageIo } from './manage-commands.js';

/**
 * `letterbox admin reset-claim`: makes the box unclaimed again — the admin
 * account is deleted and a new one-time setup token is made and printed, so
 * whoever has a shell on the box (a physical action: console, serial, or the
 * SD card) can set the admin page up anew. Mail accounts, domains and mail
 * are untouched.
 *
 * `letterbox admin setup-token`: prints the current setup token while the
 * box is unclaimed (the same one the first start printed).
 *
 * Both open the store directly, so the server must be stopped: LevelDB's
 * lock refuses a second process, and the running admin app keeps no claim
 * state that could go stale meanwhile.
 */
export const ADMIN_HELP = `  admin reset-claim              forget the admin account and print a new setup
                                 token (stop the server first)
  admin setup-token              print the setup token while the box is unclaimed
`;

/** True for argv that this module handles. */
export function isAdminCommand(argv: readonly string[]): boolean {
  try {
    return parseArgs(argv).words[0] === 'admin';
  } catch {
    return false;
  }
}

/** Runs an admin command; resolves with the exit code. Throws `UsageError` or `MailError` like the other commands. */
export async function runAdminCommand(argv: readonly string[], dataDir: string, io: ManageIo): Promise<number> {
  const args = parseArgs(argv);
  const [, action, ...rest] = args.words;
  if ((action !== 'reset-claim' && action !== 'setup-token') || rest.length > 0) throw new UsageError('usage: letterbox admin reset-claim | letterbox admin setup-token');
  await ensureDataDir(dataDir);
  const { openStore } = await import('../store/index.js');
  const admin = await import('../admin/index.js');
  let store;
  try {
    store = await openStore({ dir: dataDir });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new MailError('inUse', `cannot open the store in ${dataDir}: ${reason}. Stop the server first (e.g. "systemctl stop letterbox"), run this again, then start it`, err);
  }
  try {
    if (action === 'setup-token') {
      if (await admin.isAdminClaimed(store)) throw new MailError('exists', 'the box is already set up; "letterbox admin reset-claim" starts over');
      const { token } = await admin.ensureSetupToken(dataDir);
      io.stdout.write(`${token}\n`);
      return 0;
    }
    const was = await admin.readAdminAccount(store);
    await admin.deleteAdminAccount(store);
    const token = await admin.replaceSetupToken(dataDir);
    io.stdout.write(
      `${was ? `The admin account "${was.username}" was removed.` : 'The box was not claimed.'} Start letterbox and open the admin page within 30 minutes;\n` +
        `set it up with this one-time setup token:\n\n    ${token}\n\n`,
    );
    return 0;
  } finally {
    await store.close();
  }
}
