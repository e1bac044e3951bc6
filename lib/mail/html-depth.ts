/**
 * How deep HTML nests, as an HTML parser builds it. html-to-text and sanitize-html (htmlparser2
 * and a DOM underneath) take time quadratic in the nesting depth: 700 KB of `<p><li>` took a
 * minute. So markup that nests deeper than the converters are given is not handed to them.
 *
 * Counting tags with a pattern gets nesting wrong both ways: an end tag that closes nothing
 * (`<b></i>`) does not un-nest, and `<p><li>` nests although `p` and `li` are closed by their
 * siblings. So the depth is measured with htmlparser2's own tokenizer and implied-end rules (the
 * parser html-to-text builds on), which is linear: only its callbacks run, no DOM is built. Pure.
 */
import { Parser } from 'htmlparser2';

/** Elements without content: no end tag, no nesting (HTML §13.1.2). */
const VOID_ELEMENTS = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr']);
const START_TAG = /<([a-zA-Z][a-zA-Z0-9:-]*)/g;

/** Thrown inside the parser's callback to stop it once the answer is known. */
class DeepEnough extends Error {}

/** Whether `html` holds more than `maxDepth` start tags of elements that can hold content (a cheap bound: fewer cannot nest deeper). */
function hasMoreStartTagsThan(html: string, maxDepth: number): boolean {
  let count = 0;
  START_TAG.lastIndex = 0;
  for (let match = START_TAG.exec(html); match !== null; match = START_TAG.exec(html)) {
    if (!VOID_ELEMENTS.has((match[1] as string).toLowerCase()) && ++count > maxDepth) return true;
  }
  return false;
}

/**
 * Whether HTML nests deeper than `maxDepth` elements, as htmlparser2 parses it (implied ends,
 * stray end tags ignored, void elements). Linear in the length of `html`; never throws.
 */
export function nestsDeeperThan(html: string, maxDepth: number): boolean {
  if (!hasMoreStartTagsThan(html, maxDepth)) return false;
  let depth = 0;
  const parser = new Parser(
    {
      onopentag(name) {
        if (!VOID_ELEMENTS.has(name) && ++depth > maxDepth) throw new DeepEnough();
      },
      onclosetag(name) {
        if (!VOID_ELEMENTS.has(name)) depth = Math.max(0, depth - 1);
      },
    },
    { decodeEntities: false },
  );
  try {
    parser.end(html);
    return false;
  } catch {
    // DeepEnough: deeper than the limit. The tokenizer itself does not throw on any input; if it
    // ever did, the markup is not to be trusted to the converters either.
    return true;
  }
}
