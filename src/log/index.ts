/** Logging: the pino root logger, per-connection children and secret masking. */
export { MASK, maskCommand } from './mask-command.js';
export { REDACTED_KEYS, connectionLogger, createLogger, newConnectionId, type ConnectionBindings, type LogLevel, type Logger, type LoggerOptions } from './logger.js';
