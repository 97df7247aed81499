// Server-provided text is untrusted: before it reaches a terminal, control characters (ANSI escape
// sequences included) are removed, so a server cannot move the cursor, recolour or retitle the screen.

// C0 controls except \n and \t, DEL, and C1 controls.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * Removes control characters (keeps newlines and tabs).
 *
 * @param text - untrusted text
 */
export function stripControl(text: string): string {
  return text.replace(CONTROL, '');
}

/**
 * One line of untrusted text: control characters removed, whitespace runs (newlines included)
 * collapsed to single spaces.
 *
 * @param text - untrusted text
 */
export function oneLine(text: string): string {
  return stripControl(text).replace(/\s+/g, ' ').trim();
}

/**
 * The width of text in terminal columns, counting code points (wide CJK characters count as one:
 * good enough for alignment of mostly-ASCII tables).
 *
 * @param text - plain text without escape sequences
 */
export function visibleWidth(text: string): number {
  let width = 0;
  for (const _ of text) width++;
  return width;
}

/**
 * Cuts text to at most `width` columns, ending with `…` when cut.
 *
 * @param text - plain text
 * @param width - columns available (at least 1)
 */
export function truncate(text: string, width: number): string {
  if (visibleWidth(text) <= width) return text;
  const points = [...text];
  return `${points.slice(0, Math.max(0, width - 1)).join('')}…`;
}
