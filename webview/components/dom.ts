// Plain-DOM helpers shared by the views (no toolkit here, so they survive a component-library swap).

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: Array<Node | string | null | undefined>
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k.startsWith('data-')) e.setAttribute(k, v);
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

export function section(title: string, kind: string, ...children: Array<Node | string | null | undefined>): HTMLElement {
  return el('section', { class: 'section', 'data-section': kind }, el('h3', {}, title), ...children);
}

/** Reads a theme colour VS Code injects as a CSS variable, with a fallback for the test page. */
export function themeColor(name: string, fallback: string): string {
  const v = getComputedStyle(document.body).getPropertyValue(name).trim();
  return v || fallback;
}
