// Runs every demo in turn (the README's demo command).
await import('./countdown.js');
await import('./producer-consumer.js');
await import('./ping.js');
await import('./echo.js');
await import('./echo-unix.js');
await import('./echo-tls.js');
await (await import('./http-service.js')).demo();

export {};
