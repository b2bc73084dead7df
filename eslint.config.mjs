// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const vscodePath = { name: 'vscode', message: 'core/, shared/ and cli/ are plain Node: only src/vscode/ may import vscode.' };
const noVscode = { 'no-restricted-imports': ['error', { paths: [vscodePath] }] };

/** Core's folders that `folder` may not import (a relative import whose path enters one of them). */
const coreFolders = (folders, why) => ({ regex: `^(\\.\\./)+(core/)?(${folders.join('|')})(/|$)`, message: why });
/**
 * Core's own layers, lowest first: store/ and model/ know nothing above them; feedback/ builds on store/; inference/
 * on model/; server/ (the HTTP layer) on all of them. An error a lower layer throws is its own type, which server/'s
 * error handler maps to a status.
 */
const coreLayers = {
  'src/core/store/**': coreFolders(['server', 'feedback', 'inference', 'model'], 'store/ is the bottom layer: it imports no other part of core but text/.'),
  'src/core/feedback/**': coreFolders(['server'], 'feedback/ never imports server/: throw a feedback error and let server/error-handler.ts map it to a status.'),
  'src/core/model/**': coreFolders(['server', 'inference'], 'model/ never imports server/ or inference/ (inference builds on model; what both need lives in onnx/).'),
  'src/core/onnx/**': coreFolders(['server', 'inference', 'model'], 'onnx/ is what model/ and inference/ share: it imports neither.'),
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
  ...Object.entries(coreLayers).map(([folder, pattern]) => ({
    files: [folder],
    rules: { 'no-restricted-imports': ['error', { paths: [vscodePath], patterns: [pattern] }] },
  })),
);
