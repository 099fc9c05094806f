export { type MonitorClientOptions, monitorClient } from './client.js';
export { findMonitors, type MonitorAddress } from './endpoint.js';
export { createMonitor, monitor } from './monitor.js';
export { MONITOR_HOST, MONITOR_PORT, type MonitorOptions, type Transport } from './options.js';
