import { expect, test } from 'vitest';
import { runRecipe } from './cookbook-support.js';

test('producer-consumer: the producer waits for room, every item is processed once', () => {
  expect(runRecipe('producer-consumer.js')).toEqual([
    '[  0 ms] put item 1',
    '[  0 ms] put item 2',
    '[  0 ms] put item 3',
    '[  0 ms] put item 4',
    '[100 ms] c1 processed item 1',
    '[100 ms] c2 processed item 2',
    '[100 ms] put item 5 (waited 100 ms for room)',
    '[200 ms] c2 processed item 3',
    '[200 ms] c1 processed item 4',
    '[200 ms] put item 6 (waited 100 ms for room)',
    '[300 ms] c1 processed item 5',
    '[300 ms] c2 processed item 6',
    '[300 ms] all done',
  ]);
});
