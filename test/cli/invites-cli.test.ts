import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { IRIS_MODEL } from '../helpers/preview';
import { runCli, startCli } from './cli-process';

const tempDir = () => mkdtempSync(path.join(tmpdir(), 'mp-invites-cli-'));
const PREVIEW_PASSWORD = 'the preview password';
const OLGA_PASSWORD = 'olga from outside';
const linkIn = (stdout: string): string => /^(http:\/\/\S+\?t=\S+)$/m.exec(stdout)![1];

/** `model-preview invite / invites / revoke / invite-only`, against a running `serve` and against the folder alone. */
describe('model-preview invite, invites, revoke, invite-only', function () {
  this.timeout(60_000);

  it('with the preview running: invite prints a working link, revoke cuts it before returning, the other invite and the share link go on', async () => {
    const dir = tempDir();
    const dataDir = path.join(dir, 'data');
    const cli = startCli(['serve', IRIS_MODEL, '--json', '--port', '0', '--data-dir', dataDir]);
    try {
      const ready = await cli.nextEvent((e) => e.event === 'ready');
      const base = String(ready.localUrl);
      const dana = await runCli(['invite', 'Dana Scully', '--data-dir', dataDir]);
      assert.equal(dana.code, 0, dana.stderr);
      assert.match(dana.stdout, /^Invitation link for Dana Scully:\n/);
      const danaLink = linkIn(dana.stdout);
      assert.ok(danaLink.startsWith(base), `${danaLink} is on ${base}`);
      const eve = await runCli(['invite', 'Eve', '--data-dir', dataDir, '--expires', '7d']);
      assert.equal(eve.code, 0, eve.stderr);
      assert.match(eve.stdout, /It expires \d{4}-/);
      const eveLink = linkIn(eve.stdout);
      const card = (link: string) => fetch(new URL('api/card', base), { headers: { authorization: `Bearer ${new URL(link).searchParams.get('t')}` } }).then((r) => r.status);
      assert.deepEqual([await card(danaLink), await card(eveLink)], [200, 200]);

      const list = await runCli(['invites', '--data-dir', dataDir]);
      assert.equal(list.code, 0, list.stderr);
      assert.match(list.stdout, /^Dana Scully {2}active {2}last seen \d{4}-\S+ {2}0 feedback {2}own password: no {2}rate limits: the preview's$/m);
      assert.match(list.stdout, /^Eve {2}expires \d{4}-\S+ {2}last seen/m);
      assert.ok(!list.stdout.includes(new URL(danaLink).searchParams.get('t')!), 'no token in the list');

      const revoked = await runCli(['revoke', 'Dana Scully', '--data-dir', dataDir]);
      assert.equal(revoked.code, 0, revoked.stderr);
      assert.equal(await card(danaLink), 401, 'refused as soon as revoke returned');
      assert.equal(await card(eveLink), 200);
      assert.equal(await card(String(ready.shareUrl)), 200);

      assert.equal((await runCli(['invite-only', 'on', '--data-dir', dataDir])).code, 0);
      assert.equal(await card(String(ready.shareUrl)), 401, 'the share link is off');
      assert.equal(await card(eveLink), 200);

      const unknown = await runCli(['revoke', 'Nobody', '--data-dir', dataDir]);
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /^model-preview: the preview on port \d+: revoking "Nobody"'s invite .* failed: the server answered 404: no invite named "Nobody"/);
      assert.ok(!cli.stderr().includes(new URL(eveLink).searchParams.get('t')!) && !JSON.stringify(cli.lines()).includes(new URL(eveLink).searchParams.get('t')!), 'no invite token in the server\'s output');
    } finally {
      cli.child.kill('SIGTERM');
      await cli.exited;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an invite\'s own password (from a file) and rate limit: her password in, the preview\'s refused, 429 for her alone; listed without the password', async () => {
    const dir = tempDir();
    const dataDir = path.join(dir, 'data');
    const passwordFile = path.join(dir, 'olga.txt');
    writeFileSync(passwordFile, `${OLGA_PASSWORD}\n`);
    const cli = startCli(['serve', IRIS_MODEL, '--json', '--port', '0', '--data-dir', dataDir, '--password', PREVIEW_PASSWORD]);
    try {
      const ready = await cli.nextEvent((e) => e.event === 'ready');
      const olga = await runCli(['invite', 'Olga', '--data-dir', dataDir, '--password-file', passwordFile, '--rate-limit-predictions', '1']);
      assert.equal(olga.code, 0, olga.stderr);
      assert.match(olga.stdout, /It needs its own password \(send it another way than the link\)\. Its rate limits: 1 predictions\/min \(feedback as the preview\)\./);
      const dana = await runCli(['invite', 'Dana', '--data-dir', dataDir]);
      assert.equal(dana.code, 0, dana.stderr);
      const predict = (link: string, password: string) => fetch(new URL('api/predict', String(ready.localUrl)), {
        method: 'POST', body: JSON.stringify({ inputs: { features: [5.1, 3.5, 1.4, 0.2] } }),
        headers: { authorization: `Bearer ${new URL(link).searchParams.get('t')}`, 'content-type': 'application/json', 'x-preview-password': password },
      }).then((r) => r.status);
      const [olgaLink, danaLink] = [linkIn(olga.stdout), linkIn(dana.stdout)];
      assert.equal(await predict(olgaLink, PREVIEW_PASSWORD), 401, 'the preview\'s password does not open her link');
      assert.deepEqual([await predict(olgaLink, OLGA_PASSWORD), await predict(olgaLink, OLGA_PASSWORD)], [200, 429]);
      assert.deepEqual([await predict(danaLink, PREVIEW_PASSWORD), await predict(danaLink, PREVIEW_PASSWORD)], [200, 200], 'Dana: the preview\'s password and limits');
      assert.equal(await predict(danaLink, OLGA_PASSWORD), 401);

      const list = await runCli(['invites', '--data-dir', dataDir]);
      assert.match(list.stdout, /^Olga {2}active .* {2}own password: yes {2}rate limits: 1 predictions\/min \(feedback as the preview\)$/m);
      assert.match(list.stdout, /^Dana {2}active .* {2}own password: no {2}rate limits: the preview's$/m);
      const json = await runCli(['invites', '--data-dir', dataDir, '--json']);
      const rows = (JSON.parse(json.stdout) as { invites: Array<{ name: string; ownPassword: boolean; rateLimits?: object }> }).invites;
      assert.deepEqual(rows.map((i) => [i.name, i.ownPassword, i.rateLimits]), [['Olga', true, { predictionsPerMinute: 1 }], ['Dana', false, undefined]]);
      const everything = [olga.stdout, olga.stderr, list.stdout, json.stdout, readFileSync(path.join(dataDir, 'invites.json'), 'utf8'), cli.stderr(), JSON.stringify(cli.lines())].join('\n');
      assert.ok(!everything.includes(OLGA_PASSWORD), 'her password is in no output, log or file');
    } finally {
      cli.child.kill('SIGTERM');
      await cli.exited;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('with no preview running: the folder\'s invites.json is edited, and the next serve honours it', async () => {
    const dir = tempDir();
    const dataDir = path.join(dir, 'data');
    try {
      assert.equal((await runCli(['rotate-link', '--data-dir', dataDir, '--create'])).code, 0);
      const made = await runCli(['invite', 'Dana', '--data-dir', dataDir]);
      assert.equal(made.code, 0, made.stderr);
      assert.match(made.stdout, /^No preview of this folder is running\./);
      const token = /^\?t=(\S+)$/m.exec(made.stdout)![1];
      assert.ok(!readFileSync(path.join(dataDir, 'invites.json'), 'utf8').includes(token), 'only the digest is stored');
      const olga = await runCli(['invite', 'Olga', '--data-dir', dataDir, '--password', OLGA_PASSWORD, '--rate-limit-feedback', '0']);
      assert.equal(olga.code, 0, olga.stderr);
      assert.match(olga.stdout, /It needs its own password .* Its rate limits: no feedback limit \(predictions as the preview\)\./);
      const olgaToken = /^\?t=(\S+)$/m.exec(olga.stdout)![1];
      const file = readFileSync(path.join(dataDir, 'invites.json'), 'utf8');
      assert.ok(!file.includes(OLGA_PASSWORD) && /"passwordHash": "scrypt\$/.test(file), 'only a scrypt hash of her password is stored');
      assert.equal((await runCli(['invite', 'Eve', '--data-dir', dataDir])).code, 0);
      assert.equal((await runCli(['revoke', 'Eve', '--data-dir', dataDir])).code, 0);
      assert.equal((await runCli(['invite-only', 'on', '--data-dir', dataDir])).code, 0);
      const list = await runCli(['invites', '--data-dir', dataDir, '--json']);
      const parsed = JSON.parse(list.stdout) as { inviteOnly: boolean; invites: Array<{ name: string; revokedAt?: string }> };
      assert.equal(parsed.inviteOnly, true);
      assert.deepEqual(parsed.invites.map((i) => [i.name, i.revokedAt !== undefined]), [['Dana', false], ['Olga', false], ['Eve', true]]);

      const cli = startCli(['serve', IRIS_MODEL, '--json', '--port', '0', '--data-dir', dataDir]);
      try {
        const ready = await cli.nextEvent((e) => e.event === 'ready');
        const status = (token: string) => fetch(new URL('api/card', String(ready.localUrl)), { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);
        assert.equal(await status(token), 200);
        assert.equal(await status(new URL(String(ready.shareUrl)).searchParams.get('t')!), 401, 'invite-only kept');
        assert.equal(await status(olgaToken), 401, 'her link needs her password');
        const withPassword = await fetch(new URL('api/card', String(ready.localUrl)), { headers: { authorization: `Bearer ${olgaToken}`, 'x-preview-password': OLGA_PASSWORD } });
        assert.equal(withPassword.status, 200);
      } finally {
        cli.child.kill('SIGTERM');
        await cli.exited;
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('bad input: a taken name, an empty name, a bad lifetime, a bad password or limit, invite-only maybe, a folder with no preview — clear errors, nothing stored', async () => {
    const dir = tempDir();
    const dataDir = path.join(dir, 'data');
    try {
      const none = await runCli(['invite', 'Dana', '--data-dir', dataDir]);
      assert.equal(none.code, 2);
      assert.match(none.stderr, /--data-dir .* does not exist/);
      assert.equal((await runCli(['rotate-link', '--data-dir', dataDir, '--create'])).code, 0);
      assert.equal((await runCli(['invite', 'Dana', '--data-dir', dataDir])).code, 0);
      const taken = await runCli(['invite', 'Dana', '--data-dir', dataDir]);
      assert.equal(taken.code, 1);
      assert.equal(taken.stderr, 'model-preview: "Dana" already has an invite link; revoke it first to give them a new one\n');
      const empty = await runCli(['invite', ' ', '--data-dir', dataDir]);
      assert.equal(empty.code, 1);
      assert.match(empty.stderr, /a reviewer's name cannot be empty/);
      const lifetime = await runCli(['invite', 'Zed', '--expires', '5', '--data-dir', dataDir]);
      assert.equal(lifetime.code, 1);
      assert.match(lifetime.stderr, /"5" is not a lifetime/);
      const maybe = await runCli(['invite-only', 'maybe', '--data-dir', dataDir]);
      assert.equal(maybe.code, 1);
      assert.match(maybe.stderr, /invite-only takes on or off, not "maybe"/);
      const passwordFile = path.join(dir, 'password.txt');
      const badTerms: Array<[string[], RegExp]> = [
        [['--password', 'tiny123'], /^model-preview: --password: the password must be at least 8 characters/],
        [['--password', 'long enough password', '--password-file', passwordFile], /--password <password>' cannot be used with option '--password-file <file>'/],
        [['--password-file', path.join(dir, 'missing.txt')], /--password-file .*missing\.txt: cannot read it: no such file/],
        [['--password-file', passwordFile], /--password-file .*password\.txt: the password must be the file's only line/],
        [['--rate-limit-predictions', '1.5'], /--rate-limit-predictions must be a whole number >= 0/],
        [['--rate-limit-feedback=-2'], /--rate-limit-feedback must be a whole number >= 0/],
      ];
      writeFileSync(passwordFile, 'first line password\nsecond line\n');
      for (const [flags, message] of badTerms) {
        const run = await runCli(['invite', 'Zed', '--data-dir', dataDir, ...flags]);
        assert.equal(run.code, 1, `${flags.join(' ')}: ${run.stdout}`);
        assert.match(run.stderr, message);
        assert.ok(!run.stderr.includes('tiny123') && !run.stderr.includes('first line password'), 'the error does not quote the password');
      }
      const list = JSON.parse((await runCli(['invites', '--data-dir', dataDir, '--json'])).stdout) as { invites: Array<{ name: string }> };
      assert.deepEqual(list.invites.map((i) => i.name), ['Dana'], 'nothing else stored');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
