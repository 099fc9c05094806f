// For the cookbook's tests: run a recipe's built program to its end and return its lines.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const cookbookDist = fileURLToPath(new URL('../dist/cookbook/', import.meta.url));

export function runRecipe(file: string): string[] {
  return execFileSync(process.execPath, [`${cookbookDist}${file}`], {
    encoding: 'utf8',
    timeout: 15_000,
  })
    .trim()
    .split('\n');
}
