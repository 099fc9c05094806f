export { QueueEmpty, QueueFull } from './errors.js';
export { LifoQueue } from './lifo.js';
export { PriorityQueue, type PriorityQueueOptions } from './priority.js';
export { Queue } from './queue.js';
export { UniversalQueue, type UniversalQueueAsyncOptions } from './universal.js';
