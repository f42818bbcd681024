// Colours. Prefix colours come from a stable hash so a prefix looks the same on every page, in
// every session and in reports, without any palette state to share.

export const SPILL_COLOR = '#f28e2b';
export const READ_BACK_COLOR = '#ffb55a';
export const ERROR_COLOR = '#000000';
export const CANCELLED_COLOR = '#a8a8a8';

export const STATE_COLORS: Record<string, string> = {
  waiting: '#c9ced6',
  processing: '#2ca25f',
  memory: '#d6404e',
  released: '#5b8fd6',
  erred: '#000000',
};

/** FNV-1a, 32 bit, with murmur3's final mix so similar names (read-csv, read-json) differ in every bit. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export interface PrefixColors {
  solid: string;
  light: string;
}

const prefixCache = new Map<string, PrefixColors>();

export function prefixColor(prefix: string): PrefixColors {
  let c = prefixCache.get(prefix);
  if (c) return c;
  const h = hashString(prefix);
  // Hue from the low bits over 330°, skipping 20..50° so no prefix can be mistaken for the orange
  // of spill / read-back; three lightness and two saturation levels from other bits make
  // prefixes with close hues still look different. Lightness stays well above black (errors).
  let hue = h % 330;
  if (hue >= 20) hue += 30;
  const sat = (h >>> 12) & 1 ? 75 : 55;
  const light = [40, 50, 60][(h >>> 16) % 3];
  c = {
    solid: `hsl(${hue}, ${sat}%, ${light}%)`,
    light: `hsl(${hue}, ${Math.max(30, sat - 15)}%, ${Math.min(light + 28, 88)}%)`,
  };
  prefixCache.set(prefix, c);
  return c;
}

/** Flame graph frames: warm hues, keyed by the function name. */
export function frameColor(name: string): string {
  const h = hashString(name);
  return `hsl(${h % 55}, ${70 + ((h >>> 8) % 25)}%, ${56 + ((h >>> 16) % 14)}%)`;
}
