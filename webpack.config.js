// @ts-check
'use strict';
const path = require('node:path');

/**
 * One node bundle for the CLI/server program and one for its inference worker (worker_threads load a file by path,
 * so the worker is its own entry). onnxruntime-node is native and cannot be bundled; it stays in node_modules.
 * @type {import('webpack').Configuration}
 */
const server = {
  name: 'server',
  target: 'node20',
  entry: {
    cli: './src/cli/main.ts',
    'inference-worker': './src/core/inference/inference-worker.ts',
  },
  output: { path: path.resolve(__dirname, 'dist'), filename: '[name].js', libraryTarget: 'commonjs2' },
  // Keep __dirname the runtime folder (dist/) so the pool finds dist/inference-worker.js next to dist/cli.js.
  node: { __dirname: false, __filename: false },
  externals: { 'onnxruntime-node': 'commonjs onnxruntime-node', 'onnx-proto': 'commonjs onnx-proto', bufferutil: 'commonjs bufferutil', 'utf-8-validate': 'commonjs utf-8-validate' },
  resolve: { extensions: ['.ts', '.js'] },
  module: { rules: [{ test: /\.ts$/, exclude: /node_modules/, loader: 'ts-loader', options: { transpileOnly: true } }] },
  devtool: 'source-map',
  optimization: { minimize: false },
  performance: { hints: false },
  stats: 'errors-warnings',
};

module.exports = [server];
