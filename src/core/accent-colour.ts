/**
 * The colours derived from a brand's accent colour (BRAND_ACCENT_COLOR, docs/operations.md
 * "Branding"). Any #rrggbb is accepted, so the pages and mails never use it where it could be
 * unreadable: buttons get the accent as their fill with whichever text colour contrasts enough,
 * and links, focus outlines and outlined buttons get the accent darkened until it reads on the
 * pages' lightest tinted background (WCAG 2.2 1.4.3: 4.5:1 for text, which covers the 3:1 of a
 * focus indicator).
 */
export interface AccentPalette {
  /** The configured colour, lower case: the fill of primary buttons. */
  readonly color: string;
  /** Text on `color`: white if it reaches 4.5:1, else black or white, whichever contrasts more. */
  readonly ink: string;
  /** `color`, darkened where needed, for links, focus outlines and outlined buttons on light backgrounds. */
  readonly text: string;
}

/** 4.5:1: WCAG's minimum contrast for normal text. */
export const MIN_TEXT_CONTRAST = 4.5;

/**
 * The darkest light background text in the accent colour sits on: the UI's info boxes
 * (#eaf1fb); the page (#f3f4f7), the cards (#ffffff) and the mails (#f4f5f7, #ffffff) are lighter.
 */
const LIGHTEST_TINTED_BACKGROUND = '#eaf1fb';

export const HEX_COLOUR = /^#[0-9a-fA-F]{6}$/;

function channels(hex: string): [number, number, number] {
  return [1, 3, 5].map((start) => Number.parseInt(hex.slice(start, start + 2), 16)) as [number, number, number];
}

function toHex(rgb: readonly number[]): string {
  return `#${rgb.map((c) => Math.round(c).toString(16).padStart(2, '0')).join('')}`;
}

/** WCAG 2.2 relative luminance of an sRGB colour. */
export function relativeLuminance(hex: string): number {
  const [r, g, b] = channels(hex).map((c) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG 2.2 contrast ratio between two colours (1 to 21). */
export function contrastRatio(a: string, b: string): number {
  const [light, dark] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

/** The palette of an accent colour given as #rrggbb (the caller has checked the format). */
export function accentPalette(hex: string): AccentPalette {
  if (!HEX_COLOUR.test(hex)) throw new Error(`not a #rrggbb colour: ${hex}`);
  const color = hex.toLowerCase();
  const white = contrastRatio(color, '#ffffff');
  const ink = white >= MIN_TEXT_CONTRAST || white >= contrastRatio(color, '#000000') ? '#ffffff' : '#000000';
  // Mixed towards black in small steps: the hue stays, only the lightness drops (black itself
  // has 18:1 on the background, so the loop always ends).
  const rgb = channels(color);
  let text = color;
  for (let step = 1; contrastRatio(text, LIGHTEST_TINTED_BACKGROUND) < MIN_TEXT_CONTRAST && step <= 20; step++) {
    text = toHex(rgb.map((c) => c * (1 - step / 20)));
  }
  return { color, ink, text };
}
