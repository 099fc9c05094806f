export { LifoQueue } from './lifo.js';
export { PriorityQueue, type PriorityQueueOptions } from './priority.js';
export { Queue } from './queue.js';
