// Runs every demo in turn (the README's demo command).
await import('./countdown.js');
await import('./producer-consumer.js');
await import('./ping.js');

export {};
