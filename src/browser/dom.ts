/**
 * The browser apps' (the try-it page's and the Feedback view's) only way to build DOM: elements with attributes and
 * text children. Everything a person or the server supplied becomes a Text node or an attribute value — never markup
 * (no innerHTML anywhere in either app). `style` and
 * `on*` attributes are refused: the CSP forbids inline style and script, and events are bound with addEventListener.
 */
export type Attrs = Record<string, string | number | boolean | undefined | null>;
export type Child = Node | string | number | undefined | null | false;

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  setAttrs(node, attrs);
  append(node, ...children);
  return node;
}

export function setAttrs(node: Element, attrs: Attrs): void {
  for (const [name, value] of Object.entries(attrs)) {
    if (name === 'style' || name.toLowerCase().startsWith('on')) throw new Error(`refusing to set attribute ${name}`);
    if (value === undefined || value === null || value === false) node.removeAttribute(name);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
}

export function append(node: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    node.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

/** Replaces every child of `node`. */
export function replaceChildren(node: Element, ...children: Child[]): void {
  node.replaceChildren();
  append(node, ...children);
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * Thumb icon (Material Icons "thumb_up", Apache License 2.0); the "down" variant is the same path turned 180 degrees.
 * Decorative: the button's text says what it does.
 */
export function thumbIcon(direction: 'up' | 'down'): SVGSVGElement {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('width', '20');
  svg.setAttribute('height', '20');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const path = document.createElementNS(SVG_NS, 'path');
  path.setAttribute('fill', 'currentColor');
  path.setAttribute('d', 'M1 21h4V9H1v12zm22-11c0-1.1-.9-2-2-2h-6.31l.95-4.57.03-.32c0-.41-.17-.79-.44-1.06L14.17 1 7.59 7.59C7.22 7.95 7 8.45 7 9v10c0 1.1.9 2 2 2h9c.83 0 1.54-.5 1.84-1.22l3.02-7.05c.09-.23.14-.47.14-.73v-2z');
  if (direction === 'down') path.setAttribute('transform', 'rotate(180 12 12)');
  svg.appendChild(path);
  return svg;
}

let idCounter = 0;
/** A document-unique id for label/input pairs. */
export function uid(prefix: string): string {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}
