// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const vscodePath = { name: 'vscode', message: 'core/, shared/ and cli/ are plain Node: only src/vscode/ may import vscode.' };
const noVscode = { 'no-restricted-imports': ['error', { paths: [vscodePath] }] };

/** A relative import that enters one of core's `folders` (`../server/x`, `../../core/model/y`). */
const coreFolders = (folders, why) => ({ regex: `^(\\.\\./)+(core/)?(${folders.join('|')})(/|$)`, message: why });
const noServer = (folder) => coreFolders(['server'], `${folder} never imports server/ (the HTTP layer): throw an error of its own, and server/error-answer.ts maps it to a status.`);
const MODEL_AND_INFERENCE = 'model/ and inference/ do not import each other: what both need lives in onnx/, and core/inference-worker.ts puts them together.';
/**
 * Core's own layers, lowest first: store/, onnx/ and model/ know nothing above them; feedback/ builds on store/;
 * inference/ on onnx/ (not model/: the worker's entry, core/inference-worker.ts, joins the two); server/ (the HTTP layer)
 * on all of them.
 */
const coreLayers = {
  'src/core/store/**': [coreFolders(['server', 'feedback', 'inference', 'model', 'onnx'], 'store/ is the bottom layer: it imports no other part of core but text/.')],
  'src/core/feedback/**': [noServer('feedback/')],
  'src/core/model/**': [noServer('model/'), coreFolders(['inference'], MODEL_AND_INFERENCE)],
  'src/core/inference/**': [noServer('inference/'), coreFolders(['model'], MODEL_AND_INFERENCE)],
  'src/core/onnx/**': [coreFolders(['server', 'inference', 'model'], 'onnx/ is what model/ and inference/ share: it imports neither, nor server/.')],
};

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'examples/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
    },
  },
  { files: ['src/core/**', 'src/shared/**', 'src/cli/**', 'src/page/**', 'src/webview/**'], rules: noVscode },
  ...Object.entries(coreLayers).map(([folder, patterns]) => ({
    files: [folder],
    rules: { 'no-restricted-imports': ['error', { paths: [vscodePath], patterns }] },
  })),
);
