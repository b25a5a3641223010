// ESLint for the hand-written browser JavaScript; `cargo xtask test` runs it
// with `tsc` (tsconfig.json), which checks the types.
import js from '@eslint/js';

const browser = Object.fromEntries(
  ['window', 'document', 'navigator', 'location', 'history', 'localStorage', 'fetch', 'EventSource',
    'AudioContext', 'URLSearchParams', 'setTimeout', 'setInterval', 'console', 'Element', 'HTMLElement',
    'HTMLDialogElement', 'HTMLInputElement', 'HTMLButtonElement', 'HTMLScriptElement', 'HTMLSelectElement'].map((name) => [name, 'readonly']),
);

export default [
  {
    files: ['server/kitchen-display/kitchen.js'],
    ...js.configs.recommended,
    languageOptions: { ecmaVersion: 2022, sourceType: 'script', globals: browser },
    rules: {
      ...js.configs.recommended.rules,
      eqeqeq: 'error',
      'no-var': 'error',
      'prefer-const': 'error',
    },
  },
];
