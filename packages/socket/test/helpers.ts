// Test helpers: the shared leak check and error capture.
export { caught, checkNoLeaks } from '../../../test-support/leaks.js';
