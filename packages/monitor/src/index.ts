export { type MonitorClientOptions, monitorClient } from './client.js';
export { createMonitor, monitor } from './monitor.js';
export { MONITOR_HOST, MONITOR_PORT, type MonitorOptions } from './options.js';
