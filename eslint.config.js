import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'test-output/**', '.tmp/**', 'agents/**/*.pl'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The core runs under plain Node (browser host, CLI, tests): it must never reach for Electron.
    files: ['electron/core/**', 'electron/api/**', 'electron/host/**', 'electron/cli/**', 'shared/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'electron', message: 'The core never imports electron: use a port.' }] },
      ],
    },
  },
  {
    // The sandbox is a program of its own (a POA/PBA simulator): the engine never reaches into it.
    // Repeats the rule above for the core, because a later block replaces a rule's options.
    files: ['electron/core/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The core never imports electron: use a port.' }],
          patterns: [
            {
              group: ['**/sandbox/*', '**/sandbox'],
              message:
                'The core never imports the sandbox (electron/sandbox): it is a target like any other.',
            },
          ],
        },
      ],
    },
  },
  {
    // Raw IPC lives in exactly two adapter files; everything else goes through the contract.
    files: ['**/*.ts', '**/*.tsx'],
    // The preload test stands in for Electron's renderer modules, so it names them.
    ignores: ['electron/main.ts', 'electron/preload.ts', 'electron/ipc-main.ts', 'test/api/preload.test.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "Identifier[name='ipcMain']", message: 'Use the typed contract adapters.' },
        { selector: "Identifier[name='ipcRenderer']", message: 'Use the typed contract adapters.' },
      ],
    },
  },
  {
    files: ['renderer/**/*.tsx', 'renderer/**/*.ts'],
    plugins: { 'react-hooks': reactHooks },
    rules: { ...reactHooks.configs.recommended.rules },
  },
  {
    // Shared holds serialisable types and constants only: no Node built-ins, no React.
    files: ['shared/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['node:*', 'react', 'react-dom', '@mantine/*', 'electron'] },
      ],
    },
  },
);
