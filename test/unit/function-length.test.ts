/**
 * Structure rule of issue 9: no function in lib/ is longer than about 80 lines, so each stage of a
 * mail's way stays readable on its own. Reads the sources with the TypeScript compiler's parser.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const MAX_FUNCTION_LINES = 80;
const LIB = join(import.meta.dirname, '../../lib');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Every function-like node with a body, by name and line count. */
function functionLengths(path: string): { name: string; lines: number }[] {
  const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: { name: string; lines: number }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const name = node.name && ts.isIdentifier(node.name) ? node.name.text : '(anonymous)';
      found.push({ name: `${relative(LIB, path)}:${start + 1} ${name}`, lines: end - start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('lib/ structure', () => {
  it('finds the functions it measures (the parser sees lib/)', () => {
    const all = sourceFiles(LIB).flatMap(functionLengths);
    expect(all.length).toBeGreaterThan(100);
    expect(all.some((f) => f.name.includes('planMail'))).toBe(true);
  });

  it(`has no function longer than ${MAX_FUNCTION_LINES} lines`, () => {
    const tooLong = sourceFiles(LIB)
      .flatMap(functionLengths)
      .filter((f) => f.lines > MAX_FUNCTION_LINES)
      .map((f) => `${f.name} (${f.lines} lines)`);
    expect(tooLong).toEqual([]);
  });
});
