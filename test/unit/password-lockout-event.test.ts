import assert from 'node:assert/strict';
import { FakeEvent } from '../webview/fake-vscode';
import { PreviewEventSchema, StreamMessageSchema, type PasswordLockoutEvent } from '../../src/shared/events';
import { parseCliLine } from '../../src/client/server-messages';
import type { PreviewManager } from '../../src/vscode/previews/preview-manager';
import type { PreviewNotifications as Notifications } from '../../src/vscode/previews/preview-notifications';

/**
 * The owner hears about password guessing: the `password-lockout` event passes the client's schema checks (from
 * `serve --json` and from the events socket), and becomes a warning with a way to rotate the link. The notification
 * part runs against a fake `vscode` module (test/webview/fake-vscode.ts) that records what would be shown; the real
 * extension host is exercised in test/integration.
 */
const EVENT: PasswordLockoutEvent = { event: 'password-lockout', failedAttempts: 30, windowSeconds: 600, until: '2026-11-28T10:20:00.000Z' };

describe('password-lockout event: the client\'s checks', () => {
  it('accepts the event as a serve --json line and as a numbered events-socket message', () => {
    assert.deepEqual(parseCliLine(JSON.stringify(EVENT)), EVENT);
    assert.ok(StreamMessageSchema.safeParse({ ...EVENT, id: 7 }).success);
  });

  it('refuses it with a field missing or of the wrong kind', () => {
    for (const broken of [
      { ...EVENT, failedAttempts: -1 }, { ...EVENT, failedAttempts: '30' }, { ...EVENT, windowSeconds: undefined }, { ...EVENT, until: 5 },
    ]) assert.equal(PreviewEventSchema.safeParse(broken).success, false, JSON.stringify(broken));
  });
});

describe('password-lockout event: the notification (fake vscode module)', () => {
  it('warns naming the model, how many wrong passwords and until when; "Rotate link" runs the rotate command for that preview', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const vscode = require('vscode') as Record<string, unknown>;
    const shown: Array<{ message: string; actions: string[] }> = [];
    const executed: unknown[][] = [];
    let answer: ((choice: string) => void) | undefined;
    // Added to the shared fake's `window` (others use its tabGroups), and put back after.
    const { window: fakeWindow, commands: fakeCommands } = vscode;
    vscode.window = {
      ...(fakeWindow as object),
      showWarningMessage: (message: string, ...actions: string[]) => {
        shown.push({ message, actions });
        return new Promise<string>((resolve) => (answer = resolve));
      },
    };
    vscode.commands = { executeCommand: (...args: unknown[]) => void executed.push(args) };
    // Loaded now, after the fake has `window` and `commands`: the compiled import copies the module's fields once.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { PreviewNotifications } = require('../../src/vscode/previews/preview-notifications') as { PreviewNotifications: typeof Notifications };
    const events = new FakeEvent<unknown>();
    const previews = { onDidDie: new FakeEvent<unknown>().event, onDidReceiveEvent: events.event } as unknown as PreviewManager;
    const notifications = new PreviewNotifications(previews, { show: () => undefined } as never);
    try {
      events.fire({ preview: { model: 'iris', file: '/work/iris.onnx' }, event: { ...EVENT, id: 3 } });
      assert.equal(shown.length, 1);
      assert.match(shown[0].message, /^Someone may be guessing the password of iris's share link: 30 wrong passwords within 10 minutes\. No password is accepted until .+; people who already unlocked the page keep access\.$/);
      assert.deepEqual(shown[0].actions, ['Rotate link', 'Show log']);
      answer!('Rotate link');
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(executed, [['modelPreview.rotateLink', { file: '/work/iris.onnx' }]]);
    } finally {
      notifications.dispose();
      vscode.window = fakeWindow;
      vscode.commands = fakeCommands;
    }
  });
});
