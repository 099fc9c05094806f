// Runs every demo in turn (the README's demo command).
await import('./countdown.js');

export {};
