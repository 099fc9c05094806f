// The entry of `curio` for runtimes without Node.js: bundlers for browsers or the neutral
// platform, and any runtime that does not set the `node` export condition. It re-exports the
// pure packages, which run anywhere; every name of an I/O package is here too, so code that
// imports one still bundles, and using it throws a CurioError that names the package.
// test/entries.node.test.ts checks that this file exports exactly the names of index.ts.
import type * as executors from '@curio/executors';
import type * as ioPackage from '@curio/io';
import type * as monitorPackage from '@curio/monitor';
import type * as net from '@curio/net';
import type * as signal from '@curio/signal';
import type * as socketPackage from '@curio/socket';
import type * as sslPackage from '@curio/ssl';
import type * as subprocessPackage from '@curio/subprocess';
import { nodeOnly, nodeOnlyNamespace } from './node-only.js';

export * from '@curio/kernel';
export * from '@curio/queue';
export * from '@curio/sync';

const EXECUTORS = '@curio/executors';
const MONITOR = '@curio/monitor';
const NET = '@curio/net';

export const io: typeof ioPackage = /* @__PURE__ */ nodeOnlyNamespace('io', '@curio/io');
export const socket: typeof socketPackage = /* @__PURE__ */ nodeOnlyNamespace(
  'socket',
  '@curio/socket',
);
export const ssl: typeof sslPackage = /* @__PURE__ */ nodeOnlyNamespace('ssl', '@curio/ssl');
export const subprocess: typeof subprocessPackage = /* @__PURE__ */ nodeOnlyNamespace(
  'subprocess',
  '@curio/subprocess',
);

export const SignalSet: typeof signal.SignalSet = /* @__PURE__ */ nodeOnly(
  'SignalSet',
  '@curio/signal',
);

export const WorkerExecutor: typeof executors.WorkerExecutor = /* @__PURE__ */ nodeOnly(
  'WorkerExecutor',
  EXECUTORS,
);
export const WorkerFailed: typeof executors.WorkerFailed = /* @__PURE__ */ nodeOnly(
  'WorkerFailed',
  EXECUTORS,
);
export const runBlocking: typeof executors.runBlocking = /* @__PURE__ */ nodeOnly(
  'runBlocking',
  EXECUTORS,
);
export const runCpuBound: typeof executors.runCpuBound = /* @__PURE__ */ nodeOnly(
  'runCpuBound',
  EXECUTORS,
);
export const runInExecutor: typeof executors.runInExecutor = /* @__PURE__ */ nodeOnly(
  'runInExecutor',
  EXECUTORS,
);
export const setBlockingExecutor: typeof executors.setBlockingExecutor = /* @__PURE__ */ nodeOnly(
  'setBlockingExecutor',
  EXECUTORS,
);
export const setCpuExecutor: typeof executors.setCpuExecutor = /* @__PURE__ */ nodeOnly(
  'setCpuExecutor',
  EXECUTORS,
);
export const shutdownExecutors: typeof executors.shutdownExecutors = /* @__PURE__ */ nodeOnly(
  'shutdownExecutors',
  EXECUTORS,
);

export const MONITOR_HOST: typeof monitorPackage.MONITOR_HOST = '127.0.0.1';
export const MONITOR_PORT: typeof monitorPackage.MONITOR_PORT = 48802;
export const createMonitor: typeof monitorPackage.createMonitor = /* @__PURE__ */ nodeOnly(
  'createMonitor',
  MONITOR,
);
export const findMonitors: typeof monitorPackage.findMonitors = /* @__PURE__ */ nodeOnly(
  'findMonitors',
  MONITOR,
);
export const monitor: typeof monitorPackage.monitor = /* @__PURE__ */ nodeOnly('monitor', MONITOR);
export const monitorClient: typeof monitorPackage.monitorClient = /* @__PURE__ */ nodeOnly(
  'monitorClient',
  MONITOR,
);

export const Server: typeof net.Server = /* @__PURE__ */ nodeOnly('Server', NET);
export const createServer: typeof net.createServer = /* @__PURE__ */ nodeOnly('createServer', NET);
export const createUnixServer: typeof net.createUnixServer = /* @__PURE__ */ nodeOnly(
  'createUnixServer',
  NET,
);
export const openConnection: typeof net.openConnection = /* @__PURE__ */ nodeOnly(
  'openConnection',
  NET,
);
export const openUnixConnection: typeof net.openUnixConnection = /* @__PURE__ */ nodeOnly(
  'openUnixConnection',
  NET,
);
export const runServer: typeof net.runServer = /* @__PURE__ */ nodeOnly('runServer', NET);
export const runUnixServer: typeof net.runUnixServer = /* @__PURE__ */ nodeOnly(
  'runUnixServer',
  NET,
);
