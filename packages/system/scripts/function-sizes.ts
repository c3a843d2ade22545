// The largest functions of each service, by lines (first to last line of the body), for the
// "one shape" closing note: `node --import tsx packages/system/scripts/function-sizes.ts [top]`.
// A small scanner, not a parser: it skips comments, strings and template literals, and
// measures every `function`, method and arrow function whose body is a `{ ... }` block.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const top = Number(process.argv[2] ?? 3);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
}

/** The text with comments, strings and template literals blanked (newlines kept). */
function blank(text: string): string {
  let out = '';
  let i = 0;
  const keep = (c: string) => (c === '\n' ? '\n' : ' ');
  while (i < text.length) {
    const c = text[i] as string;
    const next = text[i + 1];
    if (c === '/' && next === '/') {
      while (i < text.length && text[i] !== '\n') out += keep(text[i++] as string);
    } else if (c === '/' && next === '*') {
      out += '  ';
      i += 2;
      while (i < text.length && !(text[i] === '*' && text[i + 1] === '/')) out += keep(text[i++] as string);
      out += '  ';
      i += 2;
    } else if (c === "'" || c === '"' || c === '`') {
      out += ' ';
      i++;
      while (i < text.length && text[i] !== c) {
        if (text[i] === '\\') {
          out += ' ';
          i++;
        }
        out += keep(text[i++] as string);
      }
      out += ' ';
      i++;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

interface Measured {
  name: string;
  file: string;
  line: number;
  lines: number;
}

const START =
  /(?:function\s*\*?\s*(\w+)?\s*(?:<[^>]*>)?\s*\([^)]*\)[^{=;]*\{$)|(?:(\w+)\s*(?:<[^>]*>)?\s*\([^)]*\)\s*(?::[^{=;]+)?\{$)|(?:=>\s*\{$)/;

function measure(file: string): Measured[] {
  const lines = blank(readFileSync(file, 'utf8')).split('\n');
  const found: Measured[] = [];
  const open: { name: string; line: number; depth: number }[] = [];
  let depth = 0;
  let pending = '';
  for (const [index, line] of lines.entries()) {
    pending = `${pending} ${line.trim()}`.slice(-400);
    for (const c of line) {
      if (c === '{') {
        depth++;
        const head = pending.slice(0, pending.lastIndexOf('{') + 1).trim();
        const m = START.exec(head);
        const name = m ? (m[1] ?? m[2] ?? /(\w+)\s*[:=][^=]*=>\s*\{$/.exec(head)?.[1] ?? '(arrow)') : undefined;
        if (name && !['if', 'for', 'while', 'switch', 'catch', 'with'].includes(name)) {
          open.push({ name, line: index + 1, depth });
        }
        pending = '';
      } else if (c === '}') {
        const last = open[open.length - 1];
        if (last && last.depth === depth) {
          open.pop();
          found.push({
            name: last.name,
            file: relative(root, file),
            line: last.line,
            lines: index + 1 - last.line + 1,
          });
        }
        depth--;
        pending = '';
      }
    }
  }
  return found;
}

for (const service of readdirSync(join(root, 'services'))) {
  const src = join(root, 'services', service, 'src');
  const all = sourceFiles(src).flatMap(measure);
  all.sort((a, b) => b.lines - a.lines);
  console.log(`${service}:`);
  for (const f of all.slice(0, top)) console.log(`  ${f.lines} lines  ${f.name}  ${f.file}:${f.line}`);
}
