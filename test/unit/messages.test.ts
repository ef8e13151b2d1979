import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import '../../src/app.js';
import { messagesOf } from '../../src/i18n/index.js';

// Typed messages (issue 21 point 3). The compiler checks every catalog's keys in both languages and every
// key TypeScript passes to `translate` (src/i18n). What it cannot see is checked here: the Eta templates,
// which it does not read, must name each key as a string literal that both languages have (a key built
// by concatenation could be missing and nobody would know until the page showed the bare key); a key in
// TypeScript must not be built from a template literal either, even one whose type the compiler accepts;
// and both languages must fill the same placeholders. Loading the composition root registers every
// catalog, the modules' included.

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SOURCES = ['src', 'interactions', 'adapters'];

function files(ending: string): string[] {
  return SOURCES.flatMap((dir) =>
    readdirSync(path.join(ROOT, dir), { withFileTypes: true, recursive: true })
      .filter((e) => e.isFile() && e.name.endsWith(ending))
      .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)).split(path.sep).join('/')),
  );
}

/** The first argument of each `it.t(` in a template: the text up to the first top-level comma or the closing parenthesis. */
function translatedKeys(template: string): { line: number; argument: string }[] {
  const found: { line: number; argument: string }[] = [];
  for (const call of template.matchAll(/\bit\.t\(/g)) {
    let depth = 0;
    let quote: string | undefined;
    let end = call.index + call[0].length;
    for (; end < template.length; end++) {
      const c = template[end]!;
      if (quote) {
        if (c === '\\') end++;
        else if (c === quote) quote = undefined;
      } else if (c === "'" || c === '"' || c === '`') quote = c;
      else if ('([{'.includes(c)) depth++;
      else if (')]}'.includes(c)) {
        if (depth === 0) break;
        depth--;
      } else if (c === ',' && depth === 0) break;
    }
    found.push({ line: template.slice(0, call.index).split('\n').length, argument: template.slice(call.index + call[0].length, end).trim() });
  }
  return found;
}

const LITERAL = /^(?:'([^'\\]*)'|"([^"\\]*)")$/;
/** A value the page's TypeScript computed (a typed key or map entry): `it.messageKey`, `text.name`, `it.adviceText[a]`. */
const REFERENCE = /^[A-Za-z_$][\w$]*(?:\??\.[A-Za-z_$][\w$]*|\[[A-Za-z_$][\w$.]*\])*$/;

/**
 * What is wrong with a key argument: nothing for a literal both languages have or a reference; an
 * unknown literal; anything else (concatenation, template literal, a call) is a built key.
 */
function keyProblem(argument: string, known: (key: string) => boolean): string | undefined {
  const ternary = /^[^?'"`]+\?\s*('[^']*'|"[^"]*")\s*:\s*('[^']*'|"[^"]*")$/.exec(argument);
  if (ternary) return keyProblem(ternary[1]!, known) ?? keyProblem(ternary[2]!, known);
  const literal = LITERAL.exec(argument);
  if (literal) {
    const key = literal[1] ?? literal[2]!;
    return known(key) ? undefined : `unknown key ${key}`;
  }
  if (REFERENCE.test(argument)) return undefined;
  return `a key built in the template: ${argument}`;
}

const tr = messagesOf('tr');
const en = messagesOf('en');
const inBoth = (key: string) => Object.hasOwn(tr, key) && Object.hasOwn(en, key);

describe('typed messages', () => {
  it('both languages register the same keys, with the same placeholders', () => {
    const names = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    expect(Object.keys(en).filter((k) => !(k in tr))).toEqual([]);
    expect(Object.keys(tr).filter((k) => !(k in en))).toEqual([]);
    for (const key of Object.keys(tr)) expect([key, names(tr[key]!)]).toEqual([key, names(en[key]!)]);
    expect(Object.keys(tr).length).toBeGreaterThan(800);
  });

  it('tells a literal key, a reference and a built key apart (the check below can fail)', () => {
    const known = (key: string) => key === 'level.low';
    expect(translatedKeys(`<%= it.t('level.low') %> <%= it.t("x", { a: it.t(b.c) }) %>`).map((c) => c.argument)).toEqual(["'level.low'", '"x"', 'b.c']);
    expect(keyProblem("'level.low'", known)).toBeUndefined();
    expect(keyProblem('it.levelLabel', known)).toBeUndefined();
    expect(keyProblem('it.adviceText[a]', known)).toBeUndefined();
    expect(keyProblem("it.on ? 'level.low' : 'level.low'", known)).toBeUndefined();
    expect(keyProblem("'level.high'", known)).toBe('unknown key level.high');
    expect(keyProblem("it.on ? 'level.low' : 'level.high'", known)).toBe('unknown key level.high');
    expect(keyProblem("'level.' + it.level", known)).toMatch(/built/);
    expect(keyProblem('`level.${it.level}`', known)).toMatch(/built/);
    expect(keyProblem("it.prefix + '.title'", known)).toMatch(/built/);
  });

  it('every template names its keys as literals both languages have, or takes them from TypeScript', () => {
    const templates = files('.eta');
    expect(templates.length).toBeGreaterThan(40);
    const problems: string[] = [];
    let literals = 0;
    for (const file of templates) {
      const text = readFileSync(path.join(ROOT, file), 'utf8');
      // `it.t` handed on under another name would escape the check.
      for (const alias of text.matchAll(/\bit\.t\b(?!\()/g))
        problems.push(`${file}:${text.slice(0, alias.index).split('\n').length}: it.t used other than as a call`);
      for (const { line, argument } of translatedKeys(text)) {
        if (LITERAL.test(argument)) literals++;
        const problem = keyProblem(argument, inBoth);
        if (problem) problems.push(`${file}:${line}: ${problem}`);
      }
    }
    expect(problems).toEqual([]);
    expect(literals).toBeGreaterThan(400);
  });

  it('no TypeScript builds a key from a template literal or a concatenation', () => {
    const problems: string[] = [];
    let calls = 0;
    for (const file of files('.ts')) {
      const source = ts.createSourceFile(file, readFileSync(path.join(ROOT, file), 'utf8'), ts.ScriptTarget.Latest, true);
      const visit = (node: ts.Node): void => {
        if (ts.isCallExpression(node)) {
          const callee = node.expression.getText(source);
          // translate(locale, key, ...) and the translators t(key, ...) / it.t(key, ...)
          const key = callee === 'translate' ? node.arguments[1] : callee === 't' || callee.endsWith('.t') ? node.arguments[0] : undefined;
          if (key) {
            calls++;
            if (ts.isTemplateExpression(key) || (ts.isBinaryExpression(key) && key.operatorToken.kind === ts.SyntaxKind.PlusToken)) {
              const { line } = source.getLineAndCharacterOfPosition(key.getStart(source));
              problems.push(`${file}:${line + 1}: ${key.getText(source)}`);
            }
          }
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
    expect(problems).toEqual([]);
    expect(calls).toBeGreaterThan(150);
  });
});
