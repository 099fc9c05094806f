// Shared Vitest browser-mode settings: the package's test suite runs in Debian's headless
// Chromium (/usr/bin/chromium, installed by scripts/ensure-chromium.sh) through the Playwright
// provider. No browser is ever downloaded. Test files named `*.node.test.ts` use Node APIs and
// are left to the Node run.
import { playwright } from '@vitest/browser-playwright';

/** Chromium binary used for browser runs (override with CURIO_CHROMIUM). */
export const chromiumPath = process.env.CURIO_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Vitest `test` options for a headless Chromium run of `test/**\/*.test.ts`.
 * @param {{ exclude?: string[] }} [options] extra test files to leave out of the browser run
 */
export function browserTestOptions(options = {}) {
  return {
    include: ['test/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'test/**/*.node.test.ts', ...(options.exclude ?? [])],
    testTimeout: 20000,
    browser: {
      enabled: true,
      headless: true,
      screenshotFailures: false,
      provider: playwright({
        launchOptions: {
          executablePath: chromiumPath,
          args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
            '--no-first-run',
          ],
        },
      }),
      instances: [{ browser: 'chromium' }],
    },
  };
}
