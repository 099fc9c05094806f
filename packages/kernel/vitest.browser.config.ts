import { defineConfig } from 'vitest/config';
import { browserTestOptions } from '../../scripts/vitest-browser.mjs';

// The kernel's test suite in headless Chromium (the kernel imports nothing from Node).
export default defineConfig({
  test: { ...browserTestOptions({}), setupFiles: ['test/setup.ts'] },
});
