import { defineConfig } from 'vitest/config';
import { browserTestOptions } from '../../scripts/vitest-browser.mjs';

// The queue test suite in headless Chromium (@curio/queue imports nothing from Node).
export default defineConfig({
  test: browserTestOptions(),
});
