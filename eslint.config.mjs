// Lint rules for the whole tree. typescript-eslint's type-aware rules run on the service code,
// where an unawaited promise or a misused one is a real bug (a lost write, an unhandled rejection);
// Prettier owns formatting, so every style rule is off (eslint-config-prettier).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'web/dist/', 'coverage/', '.data/', 'node_modules/', 'client/generated/', 'src/migrations/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['src/**/*.ts'],
    extends: [...tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
  },
  {
    rules: {
      // `_name` marks a parameter an interface makes us accept, or a field split off with rest syntax.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      // Apollo plugin hooks, graphql-ws callbacks and our own interfaces are async by contract;
      // an implementation that happens not to await is not a bug.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // Tests read response bodies of many shapes and assert on them: a wrong shape fails the
      // assertion, which is the check a type would give.
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['**/*.mjs', '**/*.cjs', '**/*.js'],
    languageOptions: { globals: { ...globals.node } },
  },
  prettier,
);
