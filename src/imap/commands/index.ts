/** Every command handler, for dispatch.ts's table (APPEND is streamed by append-upload.ts instead). */
import { authenticateCommand } from './authenticate.js';
import { capabilityCommand, idCommand, logoutCommand, noopCommand } from './any-state.js';
import { closeCommand } from './close.js';
import { copyMoveCommand } from './copy-move.js';
import { enableCommand } from './enable.js';
import { expungeCommand } from './expunge.js';
import { fetchCommand } from './fetch.js';
import { idleCommand } from './idle.js';
import { listCommand, lsubCommand } from './list.js';
import { loginCommand } from './login.js';
import { createCommand, deleteCommand, renameCommand, subscribeCommand } from './mailbox-admin.js';
import { namespaceCommand, quotaCommand } from './namespace-quota.js';
import { searchCommand } from './search.js';
import { selectCommand } from './select.js';
import { starttlsCommand } from './starttls.js';
import { statusCommand } from './status.js';
import { storeCommand } from './store.js';

export const COMMANDS = [
  capabilityCommand,
  noopCommand,
  logoutCommand,
  idCommand,
  starttlsCommand,
  loginCommand,
  authenticateCommand,
  enableCommand,
  selectCommand,
  createCommand,
  deleteCommand,
  renameCommand,
  subscribeCommand,
  listCommand,
  lsubCommand,
  statusCommand,
  namespaceCommand,
  quotaCommand,
  idleCommand,
  closeCommand,
  expungeCommand,
  searchCommand,
  fetchCommand,
  storeCommand,
  copyMoveCommand,
] as const;
