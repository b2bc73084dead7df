import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { PackagedVsix } from '../../scripts/package-vsix';
import { VSIX_TARGETS, type VsixTarget } from '../../scripts/vsix-targets';
import { SUPPORTED_PLATFORMS } from '../../src/shared/platforms';
import { filesTheExtensionOpens, relativeLinks } from '../helpers/extension-file-references';
import { nativeFormat, readNativeBinary, type NativeBinary, type NativeFormat } from '../helpers/native-binary';
import { PACKAGING_TIMEOUT_MS, packagedVsix } from '../helpers/packaged-vsixes';
import { readVsixExtension } from '../helpers/vsix-archive';

const FORMATS: Record<VsixTarget['os'], NativeFormat> = { linux: 'elf', darwin: 'mach-o', win32: 'pe' };

/**
 * Libraries every machine of that OS has, which a package must not (and cannot) ship. Anything else a packaged binary
 * loads at start must be in the VSIX beside it. Windows: the system DLLs, the Visual C++ runtime that onnxruntime.dll
 * needs (documented in the README), and node.exe, the host an add-on links against.
 */
const SYSTEM_LIBRARIES: Record<VsixTarget['os'], (name: string) => boolean> = {
  linux: (name) => /^(libc|libm|libdl|libpthread|librt|libgcc_s|libstdc\+\+)\.so\.\d+$|^ld-linux/.test(name),
  darwin: (name) => name.startsWith('/usr/lib/') || name.startsWith('/System/Library/'),
  win32: (name) => /^(api-ms-win-.*|kernel32|user32|advapi32|shell32|ole32|oleaut32|setupapi|dbghelp|ws2_32|bcrypt|bcryptprimitives|crypt32|ntdll|userenv|secur32|ncrypt|iphlpapi|psapi|powrprof|shlwapi|version|winmm|msvcp140(_\d|_atomic_wait)?|vcruntime140(_\d)?|node)\.(dll|exe)$/i.test(name),
};

/**
 * Does the loader look for `need` in the folder of the file that needs it? ELF: a `$ORIGIN` run path; Mach-O:
 * `@loader_path/` or `@rpath/` with an `@loader_path` LC_RPATH; PE: yes (Node loads add-ons with
 * LOAD_WITH_ALTERED_SEARCH_PATH, and their DLLs' dependencies are then found beside them).
 */
function findsBeside(binary: NativeBinary, need: string): boolean {
  switch (binary.format) {
    case 'elf': return binary.searchPaths.some((p) => /^\$(ORIGIN|\{ORIGIN\})\/?$/.test(p));
    case 'mach-o': return need.startsWith('@loader_path/') || (need.startsWith('@rpath/') && binary.searchPaths.some((p) => /^@loader_path\/?$/.test(p)));
    case 'pe': return true;
  }
}

/** Docs link to the code and tests that back a claim: those links work in a clone, not inside a VSIX (no sources there). */
const REPOSITORY_ONLY = /^(src|test)\//;

/**
 * Opens every platform's VSIX, as `npm run package` builds it, and checks what VS Code would install from it: the
 * native files are for that platform (read from their own headers, not their names), what they load is beside them,
 * and every file the extension opens is at the path its code uses.
 */
describe('the VSIX of every platform', function () {
  this.timeout(60_000);

  it('is built for every supported platform', () => {
    assert.deepEqual(VSIX_TARGETS.map((t) => t.target), [...SUPPORTED_PLATFORMS]);
  });

  for (const target of VSIX_TARGETS) {
    describe(target.target, () => {
      let vsix: PackagedVsix;
      let files: Map<string, Buffer>;
      let natives: (NativeBinary & { path: string })[];
      before(async function () {
        this.timeout(PACKAGING_TIMEOUT_MS);
        vsix = await packagedVsix(target);
        files = await readVsixExtension(vsix.file);
        natives = [...files].filter(([, data]) => nativeFormat(data) !== undefined).map(([p, data]) => ({ path: p, ...readNativeBinary(data) }));
      });
      after(() => {
        files = new Map(); // ~65 MB each: let it go before the next target
        natives = [];
      });

      it('is at most 30 MB', () => {
        const { bytes } = vsix;
        assert.ok(bytes <= 30 * 1024 * 1024, `${(bytes / 1024 / 1024).toFixed(1)} MB`);
      });

      it(`holds native files for ${target.os}-${target.arch} only (format and CPU read from each file's header)`, () => {
        const ort = `node_modules/onnxruntime-node/bin/napi-v6/${target.os}/${target.arch}/onnxruntime_binding.node`;
        const ngrok = [...files.keys()].find((p) => p.startsWith(`node_modules/${target.ngrokPackage}/`) && p.endsWith('.node'));
        assert.ok(natives.some((n) => n.path === ort), `onnxruntime's binding ${ort} is inside`);
        assert.ok(ngrok && natives.some((n) => n.path === ngrok), `the ngrok agent of ${target.ngrokPackage} is inside`);
        const wrong = natives.filter((n) => n.format !== FORMATS[target.os] || n.arch !== target.arch);
        assert.deepEqual(wrong.map((n) => `${n.path}: ${n.format} ${n.arch}`), [], `every native file is ${FORMATS[target.os]} ${target.arch}`);
        // and nothing is named for another platform, native or not
        const otherPlatformFolders = [...files.keys()].filter((p) =>
          (/onnxruntime-node\/bin\//.test(p) && !p.includes(`/napi-v6/${target.os}/${target.arch}/`))
          || (/^node_modules\/@ngrok\/ngrok-/.test(p) && !p.startsWith(`node_modules/${target.ngrokPackage}/`)));
        assert.deepEqual(otherPlatformFolders, []);
      });

      it('holds every library those native files load at start, where they look for it (all but the operating system\'s own)', () => {
        const missing = natives.flatMap((n) => n.needs
          .filter((need) => !SYSTEM_LIBRARIES[target.os](need))
          .filter((need) => !findsBeside(n, need) || !files.has(path.posix.join(path.posix.dirname(n.path), need.replace(/^@(rpath|loader_path)\//, ''))))
          .map((need) => `${n.path} needs ${need} (looking in ${n.searchPaths.join(', ') || 'the default places'})`));
        assert.deepEqual(missing, []);
        assert.ok(natives.some((n) => n.needs.length > 0), 'the headers were read (onnxruntime\'s binding needs its library)');
      });

      it('holds every file the extension opens, at the path its code uses (the README under the name the packager gives it)', () => {
        const refs = filesTheExtensionOpens();
        // the finder itself must keep working: these are known to be there
        for (const known of ['dist/extension.js', 'dist/cli.js', 'media/walkthrough/export.md', 'node_modules/@vscode/codicons/dist/codicon.css', 'README.md', 'docs/sidecar.md']) {
          assert.ok(refs.some((r) => r.path === known), `the references found include ${known}: ${refs.map((r) => r.path).join(', ')}`);
        }
        const missing = refs.filter((r) => {
          if (r.folder) return ![...files.keys()].some((p) => p.startsWith(`${r.path}/`));
          // the packager stores the README as readme.md: only a path the extension looks up under any case may differ
          if (r.anyCase) return ![...files.keys()].some((p) => p.toLowerCase() === r.path.toLowerCase());
          return !files.has(r.path);
        });
        assert.deepEqual(missing.map((r) => `${r.path} (from ${r.from})`), []);
      });

      it('holds what the stylesheets the views link load (the codicon font)', () => {
        const missing = [...files.keys()].filter((p) => p.endsWith('.css') && !p.startsWith('docs/')).flatMap((css) =>
          [...files.get(css)!.toString('utf8').matchAll(/url\(\s*["']?([^"')]+)["']?\s*\)/g)]
            .map((m) => m[1].replace(/[?#].*$/, ''))
            .filter((u) => !/^(data|https?):/.test(u))
            .map((u) => path.posix.join(path.posix.dirname(css), u))
            .filter((p) => !files.has(p))
            .map((p) => `${css} loads ${p}`));
        assert.deepEqual(missing, []);
        assert.ok(files.has('node_modules/@vscode/codicons/dist/codicon.ttf'));
      });

      it('links from the README and the docs only to files inside the package (but the docs\' links to sources)', () => {
        const markdown = [...files.keys()].filter((p) => p === 'readme.md' || p === 'README.md' || /^(docs|media\/walkthrough)\/[^/]+\.md$/.test(p));
        assert.ok(markdown.includes('docs/sidecar.md') && markdown.some((p) => /^readme\.md$/i.test(p)), markdown.join(', '));
        const dead = markdown.flatMap((md) => relativeLinks(files.get(md)!.toString('utf8'))
          .map((link) => path.posix.normalize(path.posix.join(path.posix.dirname(md), link)).replace(/\/$/, ''))
          .filter((p) => !REPOSITORY_ONLY.test(p) && !files.has(p) && ![...files.keys()].some((f) => f.startsWith(`${p}/`)))
          .map((p) => `${md} -> ${p}`));
        assert.deepEqual(dead, []);
      });
    });
  }
});
