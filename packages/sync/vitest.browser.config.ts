import { defineConfig } from 'vitest/config';
import { browserTestOptions } from '../../scripts/vitest-browser.mjs';

// The sync test suite in headless Chromium (@curio/sync imports nothing from Node).
export default defineConfig({
  test: browserTestOptions(),
});
