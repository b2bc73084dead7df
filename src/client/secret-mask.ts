import type { CliEvent } from '../shared/events';

/** A share link's token parameter (`?t=...`), wherever a URL with one appears in a line; already-masked ones excluded. */
const SHARE_TOKEN_PARAM = /([?&]t=)(?!<)[^&\s"'#<>]+/g;

/**
 * The tokens a preview server revealed, hidden from every line the extension writes to its log. People paste logs
 * into issues: the owner token opens everything, and the share token opens the model, the page and the feedback form
 * to anyone. Tokens are learnt from the child's own lines (its `ready` line, and every event that carries a new link:
 * a rotation, a re-issued expired link, a tunnel that got another URL), so a token that changes at run time is hidden
 * from the line that announces it on. Any `?t=` in a URL is hidden too, so a link in a line this class cannot parse
 * (a newer server's event, an error message quoting a URL) does not leak either.
 */
export class SecretMask {
  private readonly secrets = new Map<string, string>();

  /** Learns the tokens an event carries (before the line holding them is logged). */
  learnFrom(event: CliEvent): void {
    if (event.event === 'ready') this.learn(event.ownerToken, '<owner token>');
    if ('shareUrl' in event) this.learn(shareTokenOf(event.shareUrl), '<share token>');
  }

  learn(secret: string | undefined, placeholder: string): void {
    if (secret) this.secrets.set(secret, placeholder);
  }

  hide(line: string): string {
    let hidden = line;
    for (const [secret, placeholder] of this.secrets) hidden = hidden.split(secret).join(placeholder);
    return hidden.replace(SHARE_TOKEN_PARAM, '$1<share token>');
  }
}

function shareTokenOf(url: string): string | undefined {
  try {
    return new URL(url).searchParams.get('t') ?? undefined;
  } catch {
    return undefined;
  }
}
