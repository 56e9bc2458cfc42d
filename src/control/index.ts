/** The control socket: how the CLI manages a running appliance, plus the shared management operations. */
export { callControl, isServerAbsent } from './client.js';
export { describeFailure, runOperation, type OperationContext } from './operations.js';
export { CONTROL_OPS, MAX_REQUEST_BYTES, parseControlRequest, type ControlOp, type ControlRequest, type ControlResponse, type ControlResult, type ControlResults, type UserSummary } from './protocol.js';
export { CONTROL_SOCKET_NAME, startControlServer, type ControlServer, type ControlServerOptions } from './server.js';
