// Shared Vitest browser-mode settings: the package's test suite runs in Debian's headless
// Chromium (/usr/bin/chromium, installed by scripts/ensure-chromium.sh) through the Playwright
// provider. No browser is ever downloaded. Test files named `*.node.test.ts` use Node APIs and
// are left to the Node run.
import { playwright } from '@vitest/browser-playwright';

/** Chromium binary used for browser runs (override with CURIO_CHROMIUM). */
export const chromiumPath = process.env.CURIO_CHROMIUM ?? '/usr/bin/chromium';

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Vitest `test` options for a headless Chromium run of `test/**\/*.test.ts`.
 * @param {{ exclude?: string[], skipTests?: string[] }} [options] `exclude`: more test files to
 *   leave out of the browser run; `skipTests`: names (substrings) of single tests that need Node
 *   inside otherwise portable files (better: move them to a *.node.test.ts file)
 */
export function browserTestOptions(options = {}) {
  const skip = options.skipTests ?? [];
  return {
    ...(skip.length && {
      testNamePattern: new RegExp(`^(?!.*(?:${skip.map(escapeRegExp).join('|')}))`),
    }),
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
