import { inspect } from 'node:util';
import { expect, it } from 'vitest';
import { newTask, sleep } from '../src/index.js';
import { vrun } from './helpers.js';

it('console.log(task) and util.inspect(task) show id, name and state, not kernel internals', async () => {
  function* main() {
    const t = yield* newTask(sleep(10), { name: 'child' });
    return [inspect(t), inspect({ task: t }), String(t), t.id];
  }
  const [alone, nested, text, id] = await vrun(main());
  expect([alone, nested, text]).toEqual([
    `Task { id: ${id}, name: "child", state: "SLEEP" }`,
    `{ task: Task { id: ${id}, name: "child", state: "SLEEP" } }`,
    `Task(${id}, child, SLEEP)`,
  ]);
});
