import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));

test('producer-consumer demo: bounded queue, join/taskDone, consumers cancelled at the end', () => {
  const out = execFileSync(process.execPath, [`${dist}producer-consumer.js`], {
    encoding: 'utf8',
  });
  expect(out.trim().split('\n')).toEqual([
    '[  0 ms] worker-1 got A1',
    '[  0 ms] A put A1',
    '[  0 ms] worker-2 got B1',
    '[  0 ms] B put B1',
    '[  5 ms] B put B2',
    '[ 10 ms] A put A2',
    '[ 10 ms] B waits for room for B3',
    '[ 20 ms] A waits for room for A3',
    '[ 30 ms] B put B3',
    '[ 30 ms] worker-1 got B2',
    '[ 35 ms] B waits until every item is processed',
    '[ 50 ms] A put A3',
    '[ 50 ms] worker-2 got A2',
    '[ 60 ms] worker-1 got B3',
    '[ 60 ms] A put A4',
    '[ 70 ms] A waits until every item is processed',
    '[ 90 ms] worker-1 got A3',
    '[100 ms] worker-2 got A4',
    '[150 ms] B done',
    '[150 ms] A done',
    '[150 ms] all items processed: cancelling the consumers',
    '[150 ms] worker-1 cancelled',
    '[150 ms] worker-2 cancelled',
    '[150 ms] bye',
  ]);
});
