import { describe, expect, it } from 'vitest';
import { accentPalette, contrastRatio, MIN_TEXT_CONTRAST } from './accent-colour.js';

describe('accentPalette (docs/operations.md "Branding")', () => {
  it('case=WCAG contrast: black on white is 21:1, a colour on itself 1:1', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrastRatio('#1a56b0', '#1a56b0')).toBe(1);
  });

  it('case=a dark accent: white text on it, links in the colour itself', () => {
    expect(accentPalette('#0B6E4F')).toEqual({ color: '#0b6e4f', ink: '#ffffff', text: '#0b6e4f' });
  });

  it.each(['#ffd400', '#7fffd4', '#ffffff', '#ff6600', '#00aaff', '#777777', '#e60000', '#000000'])(
    'case=%s: button text and links stay readable, the fill stays the brand colour',
    (hex) => {
      const palette = accentPalette(hex);
      expect(palette.color).toBe(hex);
      // The best of black and white on any colour reaches 4.5:1 (only mid-greys come close).
      expect(contrastRatio(palette.ink, palette.color)).toBeGreaterThanOrEqual(MIN_TEXT_CONTRAST);
      // Links and focus outlines on the lightest tinted background the UI has, and on white.
      expect(contrastRatio(palette.text, '#eaf1fb')).toBeGreaterThanOrEqual(MIN_TEXT_CONTRAST);
      expect(contrastRatio(palette.text, '#ffffff')).toBeGreaterThanOrEqual(MIN_TEXT_CONTRAST);
    },
  );

  it('case=a light accent gets black text and a darker shade of itself for links', () => {
    const yellow = accentPalette('#ffd400');
    expect(yellow.ink).toBe('#000000');
    expect(yellow.text).not.toBe('#ffd400');
    // Still a yellow hue: red and green stay ahead of blue.
    const [r, g, b] = [1, 3, 5].map((i) => Number.parseInt(yellow.text.slice(i, i + 2), 16)) as [number, number, number];
    expect(r).toBeGreaterThan(b);
    expect(g).toBeGreaterThan(b);
  });

  it('case=anything but #rrggbb is a bug of the caller (the config refuses it first)', () => {
    expect(() => accentPalette('red')).toThrow(/not a #rrggbb colour/);
    expect(() => accentPalette('#fff')).toThrow();
  });
});
