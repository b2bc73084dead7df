// @ts-check
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/*
 * The layers of src/, enforced by folder (the GitLens way: rules over folders, not just the `vscode` module). Imports
 * go one way: vscode/ -> client/ <- cli/ -> core/, and everything -> shared/; page/ and webview/ (browser code) share
 * browser/. docs/architecture.md draws the tree. ESLint keeps one `no-restricted-imports` setting per file (a later
 * block replaces an earlier one), so each block below lists everything its folder may not import.
 * test/unit/lint-layers.test.ts lints a deliberate violation of each rule and checks it is reported.
 */

/** A relative import that reaches into the project folder `folder` of src/ (`../core/x`, `../../client/y`). */
const into = (folder, message) => ({ regex: `^(\\.\\.?/)+${folder}(/|$)`, message });

const VSCODE = { name: 'vscode', message: 'Only src/vscode/ (and src/extension.ts) may import vscode.' };
const NODE = [
  { regex: '^node:', message: 'Browser code and shared/ run without Node: no Node built-ins.' },
];
const NODE_BARE = builtinModules.filter((m) => !m.startsWith('_')).map((name) => ({ name, message: 'Browser code and shared/ run without Node: no Node built-ins.' }));

const CORE = into('core', 'core/ is the server: only cli/ may import it (the extension talks to the server through client/).');
const CLIENT = into('client', 'client/ is for Node front ends (cli/, vscode/): not for core/, shared/ or browser code.');
const CLI = into('cli', 'cli/ is a front end: nothing imports it.');
const VSCODE_FOLDER = into('vscode', 'vscode/ is a front end: nothing else imports it.');
const PAGE = into('page', 'page/ is the try-it page: share browser code through browser/, not page/.');
const WEBVIEW = into('webview', 'webview/ is the Feedback view: share browser code through browser/, not webview/.');
const BROWSER = into('browser', 'browser/ is DOM code for page/ and webview/ only.');
const EXTENSION = into('extension', 'extension.ts is the entry point: nothing imports it.');

const restrict = (files, patterns, paths = []) => ({ files, rules: { 'no-restricted-imports': ['error', { paths, patterns }] } });

/** Core's folders that a folder of core may not import (a relative import whose path enters one of them). */
const coreFolders = (folders, why) => ({ regex: `^(\\.\\./)+(core/)?(${folders.join('|')})(/|$)`, message: why });
const noServer = (folder) => coreFolders(['server'], `${folder} never imports server/ (the HTTP layer): throw an error of its own, and server/error-answer.ts maps it to a status.`);
const MODEL_AND_INFERENCE = 'model/ and inference/ do not import each other: what both need lives in onnx/, and core/inference-worker.ts puts them together.';
/**
 * Core's own layers, lowest first: store/, onnx/ and model/ know nothing above them; feedback/ builds on store/;
 * inference/ on onnx/ (not model/: the worker's entry, core/inference-worker.ts, joins the two); server/ (the HTTP layer)
 * on all of them. An error a lower layer throws is its own type, which server/error-answer.ts maps to a status.
 */
const CORE_LAYERS = {
  'src/core/store/**': [coreFolders(['server', 'feedback', 'inference', 'model', 'onnx'], 'store/ is the bottom layer: it imports no other part of core but text/.')],
  'src/core/feedback/**': [noServer('feedback/')],
  'src/core/model/**': [noServer('model/'), coreFolders(['inference'], MODEL_AND_INFERENCE)],
  'src/core/inference/**': [noServer('inference/'), coreFolders(['model'], MODEL_AND_INFERENCE)],
  'src/core/onnx/**': [coreFolders(['server', 'inference', 'model'], 'onnx/ is what model/ and inference/ share: it imports neither, nor server/.')],
};

const CORE_OUTSIDE = [CLIENT, CLI, VSCODE_FOLDER, PAGE, WEBVIEW, BROWSER, EXTENSION];

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'examples/**', '**/*.js', '**/*.mjs', 'test/fixtures/lint/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
    },
  },
  restrict(['src/shared/**'], [...NODE, CORE, CLIENT, CLI, VSCODE_FOLDER, PAGE, WEBVIEW, BROWSER, EXTENSION], [VSCODE, ...NODE_BARE]),
  restrict(['src/core/**'], CORE_OUTSIDE, [VSCODE]),
  ...Object.entries(CORE_LAYERS).map(([folder, patterns]) => restrict([folder], [...CORE_OUTSIDE, ...patterns], [VSCODE])),
  restrict(['src/client/**'], [CORE, CLI, VSCODE_FOLDER, PAGE, WEBVIEW, BROWSER, EXTENSION], [VSCODE]),
  restrict(['src/cli/**'], [VSCODE_FOLDER, PAGE, WEBVIEW, BROWSER, EXTENSION], [VSCODE]),
  restrict(['src/vscode/**'], [CORE, CLI, PAGE, WEBVIEW, BROWSER, EXTENSION]),
  restrict(['src/page/**'], [...NODE, CORE, CLIENT, CLI, VSCODE_FOLDER, WEBVIEW, EXTENSION], [VSCODE, ...NODE_BARE]),
  restrict(['src/webview/**'], [...NODE, CORE, CLIENT, CLI, VSCODE_FOLDER, PAGE, EXTENSION], [VSCODE, ...NODE_BARE]),
  restrict(['src/browser/**'], [...NODE, CORE, CLIENT, CLI, VSCODE_FOLDER, PAGE, WEBVIEW, EXTENSION], [VSCODE, ...NODE_BARE]),
);
