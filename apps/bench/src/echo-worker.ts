// A node:cluster worker of the echo-workers workloads (src/workloads/echo.ts): serves the
// echo handler from runServer with `workers`, through the primary's shared socket, until the
// primary stops it.
import { run } from '@curio/kernel';
import { runServer } from '@curio/net';
import { echo } from './workloads/echo.js';

await run(runServer('127.0.0.1', 0, echo, { workers: 1 }), { logErrors: false });
