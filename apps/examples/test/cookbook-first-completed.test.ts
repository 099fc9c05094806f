import { expect, test } from 'vitest';
import { runRecipe } from './cookbook-support.js';

test('first-completed: the fastest mirror wins, the others are cancelled; a race can time out', () => {
  expect(runRecipe('first-completed.js')).toEqual([
    '[  80 ms] us: answered',
    '[  80 ms] eu: cancelled',
    '[  80 ms] asia: cancelled',
    '[  80 ms] got the file from us',
    '[1080 ms] eu: cancelled',
    '[1080 ms] us: cancelled',
    '[1080 ms] no mirror answered within 1 s',
  ]);
});
