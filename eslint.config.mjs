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
/**
 * Core's own layers, lowest first: store/ and model/ know nothing above them; feedback/ builds on store/; inference/
 * on model/; server/ (the HTTP layer) on all of them. An error a lower layer throws is its own type, which server/'s
 * error handler maps to a status. (The same rules and messages as branch h11-pipeline's, which separates model/ from
 * inference/ and feedback/ from server/.)
 */
const CORE_LAYERS = {
  'src/core/store/**': coreFolders(['server', 'feedback', 'inference', 'model'], 'store/ is the bottom layer: it imports no other part of core but text/.'),
  // TODO(h11-pipeline): feedback-service.ts still throws server/'s HttpError, and model/signature.ts still imports
  // inference/datatypes. Once that branch has landed, these three replace the model/ line below:
  //   'src/core/feedback/**': coreFolders(['server'], 'feedback/ never imports server/: throw a feedback error and let server/error-handler.ts map it to a status.'),
  //   'src/core/model/**': coreFolders(['server', 'inference'], 'model/ never imports server/ or inference/ (inference builds on model; what both need lives in onnx/).'),
  //   'src/core/onnx/**': coreFolders(['server', 'inference', 'model'], 'onnx/ is what model/ and inference/ share: it imports neither.'),
  'src/core/model/**': coreFolders(['server'], 'model/ never imports server/ (the HTTP layer).'),
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
  ...Object.entries(CORE_LAYERS).map(([folder, pattern]) => restrict([folder], [...CORE_OUTSIDE, pattern], [VSCODE])),
  restrict(['src/client/**'], [CORE, CLI, VSCODE_FOLDER, PAGE, WEBVIEW, BROWSER, EXTENSION], [VSCODE]),
  restrict(['src/cli/**'], [VSCODE_FOLDER, PAGE, WEBVIEW, BROWSER, EXTENSION], [VSCODE]),
  restrict(['src/vscode/**'], [CORE, CLI, PAGE, WEBVIEW, BROWSER, EXTENSION]),
  restrict(['src/page/**'], [...NODE, CORE, CLIENT, CLI, VSCODE_FOLDER, WEBVIEW, EXTENSION], [VSCODE, ...NODE_BARE]),
  restrict(['src/webview/**'], [...NODE, CORE, CLIENT, CLI, VSCODE_FOLDER, PAGE, EXTENSION], [VSCODE, ...NODE_BARE]),
  restrict(['src/browser/**'], [...NODE, CORE, CLIENT, CLI, VSCODE_FOLDER, PAGE, WEBVIEW, EXTENSION], [VSCODE, ...NODE_BARE]),
);
