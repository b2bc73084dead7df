// @ts-check
'use strict';
const path = require('node:path');

/** Sets the mode of an emitted file to 0755 (webpack writes every file 0644). */
class MakeExecutable {
  constructor(file) {
    this.file = file;
  }

  apply(compiler) {
    compiler.hooks.afterEmit.tap('MakeExecutable', (compilation) => {
      if (compilation.getAsset(this.file)) require('node:fs').chmodSync(path.join(compilation.outputOptions.path, this.file), 0o755);
    });
  }
}

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
    'inference-worker': './src/core/inference-worker.ts',
  },
  output: { path: path.resolve(__dirname, 'dist'), filename: '[name].js', libraryTarget: 'commonjs2' },
  // Keep __dirname the runtime folder (dist/) so the pool finds dist/inference-worker.js next to dist/cli.js.
  node: { __dirname: false, __filename: false },
  // Native or deliberately unbundled: onnxruntime-node and @ngrok/ngrok load platform binaries; onnx-proto stays a
  // package so protobufjs's Buffer() call is seen by Node as coming from node_modules (no deprecation warning).
  externals: {
    'onnxruntime-node': 'commonjs onnxruntime-node', 'onnx-proto': 'commonjs onnx-proto', '@ngrok/ngrok': 'commonjs @ngrok/ngrok',
    bufferutil: 'commonjs bufferutil', 'utf-8-validate': 'commonjs utf-8-validate',
  },
  resolve: { extensions: ['.ts', '.js'] },
  module: {
    rules: [{
      test: /\.ts$/, exclude: /node_modules/, loader: 'ts-loader',
      // ES modules, as for the extension below: webpack then keeps only the parts of zod the schemas use, where
      // CommonJS require() pulled in all of zod 4 (1 MB of source, with every locale) — evaluated on the HTTP thread
      // and again in every worker. Measured with iris: the worker's heap 10.2 -> 7.9 MB, the HTTP thread's 17.0 -> 13.8.
      options: { transpileOnly: true, compilerOptions: { module: 'es2022', moduleResolution: 'bundler' } },
    }],
  },
  devtool: 'source-map',
  // Written for memory, not for size on disk: V8 keeps a script's whole source in memory (on the HTTP thread and again
  // in every worker) for as long as any of its functions lives. So terser only rewrites the text — no compression, no
  // renaming (class and function names, hence error names and stack traces, stay as written; the source maps follow) —
  // dropping comments and indentation (one statement a line, so a stack trace's line still points somewhere useful;
  // licence comments go to *.LICENSE.txt beside the bundle), and writing every non-ASCII character as a \uXXXX escape:
  // a source with a single character beyond Latin-1 (an em dash in a comment, iconv-lite's CJK tables) is held as a
  // two-byte string. Measured: dist/cli.js 8.3 MB in the server's heap with its non-ASCII characters, 3.9 ASCII, 2.1
  // MB now; dist/inference-worker.js 2.6, 1.5, 0.47 MB in every worker (with the ES modules above).
  optimization: {
    minimize: true,
    minimizeOptions: {
      javascript: {
        compress: false, mangle: false, keep_classnames: true, keep_fnames: true,
        format: { comments: false, beautify: true, indent_level: 0, ascii_only: true },
      },
    },
  },
  performance: { hints: false },
  stats: 'errors-warnings',
  // Both load optional modules by computed name (express's view engines, rate-limiter-flexible's database stores);
  // neither path is used here.
  ignoreWarnings: [{ module: /node_modules[\\/](express[\\/]lib[\\/]view\.js|rate-limiter-flexible)/, message: /Critical dependency/ }],
  plugins: [
    // ssh2 tries two optional native add-ons (faster ciphers, CPU feature detection) inside try/catch and falls back to
    // pure JS without them. Left out, the bundle is the same on every machine and needs no compiler.
    new (require('webpack').IgnorePlugin)({ resourceRegExp: /^(cpu-features|\.\/crypto\/build\/Release\/sshcrypto\.node)$/ }),
    // dist/cli.js is the package's `bin`: npm links it as `model-preview`, which the shell runs as a script, so it must
    // start with a shebang (webpack drops the one in src/cli/main.ts) and be executable.
    new (require('webpack').BannerPlugin)({ banner: '#!/usr/bin/env node', raw: true, entryOnly: true, include: /^cli\.js$/ }),
    new MakeExecutable('cli.js'),
  ],
};

/**
 * Copies media/page.css next to the page bundle (dist/page/page.css). A plain copy: the stylesheet needs no
 * processing, and no CSS loader or copy plugin is needed for one file.
 */
class CopyPageCss {
  apply(compiler) {
    const source = path.resolve(__dirname, 'media/page.css');
    compiler.hooks.thisCompilation.tap('CopyPageCss', (compilation) => {
      compilation.fileDependencies.add(source);
      compilation.hooks.processAssets.tap({ name: 'CopyPageCss', stage: compiler.webpack.Compilation.PROCESS_ASSETS_STAGE_ADDITIONAL }, () => {
        compilation.emitAsset('page.css', new compiler.webpack.sources.RawSource(require('node:fs').readFileSync(source)));
      });
    });
  }
}

/**
 * The stakeholder try-it page: browser code, served by the server as /assets/page.js and /assets/page.css from
 * dist/page/ (src/core/server/routes/page-route.ts). Its own tsconfig has the DOM lib and no Node types.
 * @type {import('webpack').Configuration}
 */
const page = {
  name: 'page',
  target: 'web',
  entry: { page: './src/page/main.ts', 'page-sw': './src/page/service-worker.ts' },
  // Parts few visitors use (the QR code, the API snippets) are chunks loaded by import() when asked for: the page's
  // first case or form waits on page.js alone. Their names carry their content's hash, so the server lets the browser
  // keep them for good (page-route.ts); webpack loads them with <script src> from the folder page.js came from (the
  // CSP's script-src 'self' allows that; no eval).
  output: { path: path.resolve(__dirname, 'dist/page'), filename: '[name].js', chunkFilename: 'page-[name].[contenthash:12].js', clean: true },
  resolve: { extensions: ['.ts', '.js'] },
  module: {
    rules: [{
      test: /\.ts$/, exclude: /node_modules/, loader: 'ts-loader',
      options: { configFile: path.resolve(__dirname, 'src/page/tsconfig.json'), onlyCompileBundledFiles: true },
    }],
  },
  // A map for the script only, without a sourceMappingURL comment in the served file (the map is not served).
  plugins: [new CopyPageCss(), new (require('webpack').SourceMapDevToolPlugin)({ test: /\.js$/, filename: '[file].map', append: false })],
  devtool: false,
  // A budget, not a hint: what page.js holds is evaluated before a review link's first case or the form shows (zod,
  // pulled in by one schema import, once made it 198 kB and cost a loaded machine ~0.4 s). Lazy parts are chunks.
  performance: { hints: 'error', maxEntrypointSize: 100 * 1024, maxAssetSize: 100 * 1024 },
  stats: 'errors-warnings',
};

/**
 * The VS Code extension: runs in the extension host, which must stay light — it never loads onnxruntime (the server
 * is a child process running dist/cli.js). `vscode` is provided by the host.
 * @type {import('webpack').Configuration}
 */
const extension = {
  name: 'extension',
  target: 'node20',
  entry: { extension: './src/extension.ts' },
  output: { path: path.resolve(__dirname, 'dist'), filename: '[name].js', libraryTarget: 'commonjs2' },
  externals: { vscode: 'commonjs vscode', bufferutil: 'commonjs bufferutil', 'utf-8-validate': 'commonjs utf-8-validate' },
  resolve: { extensions: ['.ts', '.js'] },
  module: {
    rules: [{
      test: /\.ts$/, exclude: /node_modules/, loader: 'ts-loader',
      // ES modules, not the root tsconfig's CommonJS: webpack then takes zod's ESM build and keeps only the schema
      // functions the client uses (about 25 kB), where a require() would pull in all of zod (about 900 kB of source).
      options: { transpileOnly: true, compilerOptions: { module: 'es2022', moduleResolution: 'bundler' } },
    }],
  },
  devtool: 'source-map',
  performance: { hints: 'warning', maxEntrypointSize: 1024 * 1024, maxAssetSize: 1024 * 1024 },
  stats: 'errors-warnings',
};

/** The Feedback webview view, the feedback table and the .onnx model editor: browser code (own tsconfig, lib dom); linked from the provider's HTML via asWebviewUri. */
const webview = {
  name: 'webview',
  target: 'web',
  entry: { feedback: './src/webview/main.ts', table: './src/webview/table/main.ts', model: './src/webview/model/main.ts' },
  output: { path: path.resolve(__dirname, 'dist/webview'), filename: '[name].js', clean: true },
  resolve: { extensions: ['.ts', '.js'] },
  module: {
    rules: [{
      test: /\.ts$/, exclude: /node_modules/, loader: 'ts-loader',
      options: { configFile: path.resolve(__dirname, 'src/webview/tsconfig.json'), onlyCompileBundledFiles: true },
    }],
  },
  plugins: [
    new (require('webpack').SourceMapDevToolPlugin)({ test: /\.js$/, filename: '[file].map', append: false }),
    // The feedback table's functions nearly all run on its first `reset` (5,000 records: the envelope's guard and merge,
    // the table's window, the dropdowns' counts, both charts and d3's scales), and V8 compiled each one lazily there, on
    // the main thread, in the middle of that message: about 180 functions, 8-30 ms (bench feedback-table, traced).
    // This magic comment at the top of the file (Chromium 136+; others ignore it) has them compiled when the script
    // loads instead. That moves the work, it does not remove it: the page says `ready` about 20-30 ms later (measured
    // outside VS Code). In VS Code the page loads while the extension reads and checks every line of the feedback files
    // (FeedbackTablePanel.reload: 150-210 ms for 5,000 lines, cold), and the reset waits for both, so the page's load
    // is rarely the later one. Added after terser (which drops comments) and before the source map is made (which
    // counts the line). docs/benchmarks.md has the figures.
    new (require('webpack').BannerPlugin)({
      banner: '//# allFunctionsCalledOnLoad', raw: true, test: /^table\.js$/,
      stage: require('webpack').Compilation.PROCESS_ASSETS_STAGE_OPTIMIZE_SIZE + 1,
    }),
  ],
  devtool: false,
  performance: { hints: 'warning', maxEntrypointSize: 100 * 1024, maxAssetSize: 100 * 1024 },
  stats: 'errors-warnings',
};

module.exports = [server, page, extension, webview];
