export { Condition, type ConditionLock, type Truthy } from './condition.js';
export { Event } from './event.js';
export { Lock } from './lock.js';
export { BoundedSemaphore, Semaphore } from './semaphore.js';
export { UniversalEvent, type UniversalEventAsyncOptions } from './universal-event.js';
