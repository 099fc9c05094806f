export { type OtelActivation, type OtelOptions, otel } from './otel.js';
