// The lint recipe of the kernel README ("Catching await on a coroutine"): typescript-eslint's
// type-aware await-thenable rule flags `await sleep(100)`, which returns at once without it.
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig({
  files: ['**/*.ts'],
  languageOptions: {
    parser: tseslint.parser,
    parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
  },
  plugins: { '@typescript-eslint': tseslint.plugin },
  rules: { '@typescript-eslint/await-thenable': 'error' },
});
