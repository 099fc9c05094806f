import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));

test('countdown demo prints the countdown, then liftoff', () => {
  const out = execFileSync(process.execPath, [`${dist}countdown.js`], { encoding: 'utf8' });
  expect(out.trim().split('\n')).toEqual(['T-minus 3', 'T-minus 2', 'T-minus 1', 'liftoff']);
});
