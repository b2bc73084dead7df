import { el, replaceChildren } from '../browser/dom';
import { fetchPageLink } from './api';

const LOOPBACK = /^(localhost|127(\.\d+){3}|\[::1\])$/;

/** The address of this page with its share token: what the phone should open. */
async function ownShareLink(): Promise<string> {
  const { token } = await fetchPageLink();
  const url = new URL('./', location.href);
  url.search = `?t=${encodeURIComponent(token)}`;
  return url.href;
}

/**
 * The "open on phone" corner: a small button in the header that shows a QR code of this page's own share link, so a
 * person at a desk can carry the page to their phone. The code is `qrcode`'s SVG markup parsed as XML and adopted
 * into the page — no inline style or script, so the page's CSP (`default-src 'none'`) allows it; dark on white
 * whatever the theme (an inverted code scans badly).
 */
export class PhoneLink {
  readonly element: HTMLElement;
  private readonly panel: HTMLElement;
  private readonly button: HTMLButtonElement;

  constructor() {
    this.button = el('button', { type: 'button', class: 'button secondary small phone-link-button', 'data-testid': 'open-on-phone', 'aria-expanded': 'false', 'aria-controls': 'phone-link' }, 'Open on phone');
    this.panel = el('div', { class: 'phone-link-panel', id: 'phone-link', 'data-testid': 'phone-link', hidden: true });
    this.button.addEventListener('click', () => void this.toggle());
    this.element = el('div', { class: 'phone-link' }, this.button, this.panel);
  }

  private async toggle(): Promise<void> {
    const open = this.panel.hidden;
    this.panel.hidden = !open;
    this.button.setAttribute('aria-expanded', String(open));
    if (open) await this.render();
  }

  private async render(): Promise<void> {
    replaceChildren(this.panel, el('p', {}, 'Making the code…'));
    try {
      const link = await ownShareLink();
      // The QR library (a third of the page's script before) loads only when a person asks for the code.
      const { default: QRCode } = await import(/* webpackChunkName: "qr-code" */ 'qrcode');
      const svgText = await QRCode.toString(link, { type: 'svg', margin: 2, errorCorrectionLevel: 'M', color: { dark: '#000000', light: '#ffffff' } });
      const svg = new DOMParser().parseFromString(svgText, 'image/svg+xml').documentElement;
      if (svg.nodeName !== 'svg') throw new Error('the QR code could not be drawn');
      svg.setAttribute('role', 'img');
      svg.setAttribute('aria-label', 'QR code of this page’s link');
      const onThisComputerOnly = LOOPBACK.test(location.hostname);
      replaceChildren(this.panel,
        el('div', { class: 'qr', 'data-testid': 'phone-link-qr', 'data-link': link }, document.importNode(svg, true)),
        el('p', { class: 'note' }, onThisComputerOnly
          ? 'This address is on this computer only: a phone cannot open it. Ask for the shared link instead.'
          : 'Scan it with your phone’s camera to open this page there.'));
    } catch (err) {
      replaceChildren(this.panel, el('p', { class: 'note warning' }, `The QR code could not be made: ${err instanceof Error ? err.message : String(err)}.`));
    }
  }
}
