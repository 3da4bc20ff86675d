// ESLint (flat config): ESLint's and typescript-eslint's recommended rules, plus the house rules
// (no `any`, no eval or new Function). `npm run lint`; type-aware rules are left out to keep it fast.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['dist*/', 'node_modules/', 'inventory/', '.chom/', 'roles/', 'playbooks/', 'templates/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-eval': 'error',
      'no-implied-eval': 'error',
      'no-new-func': 'error',
      // Control characters in regexes are deliberate here: terminal escapes, YAML/Python scalar rules.
      'no-control-regex': 'off',
    },
  },
  {
    files: ['scripts/**/*.mjs', 'eslint.config.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly' } },
  },
);
