export { type IgnoredSignals, SignalSet } from './signal-set.js';
