import { describe, expect, test } from 'vitest';
import { type MeasuredFunction, measureFunctions } from '../scripts/function-sizes/measure-functions.js';
import { withParsedSources } from '../scripts/function-sizes/parse-sources.js';

// A process test: the TypeScript 7 compiler API parses in the native tsgo binary, a child
// process. The fixture holds one of each function form the size script must count, laid out
// the ways the regex scanner it replaced could not follow.
const fixture = `/** A doc comment is not part of the function. */
export function declared(options: {
  a: number;
  b: string;
}): number {
  return options.a;
}

const arrow = async (x: number) => {
  return x + 1;
};

export const holder = {
  method(y: number) {
    return y;
  },
  property: function (z: number) {
    return z;
  },
};

class Box {
  field = () => 1;
  constructor(private readonly size: number) {
    this.size = size;
  }
  get area(): number {
    return this.size * this.size;
  }
  grow(): void {}
}

// An overload signature has no body and is not counted; braces in text are not functions.
export function twice(n: number): number;
export function twice(n: number): number {
  const text = '{ function fake() {';
  return [n].map((m) => {
    return m * 2 + text.length;
  })[0] as number;
}

export const schema = wrap(1).transform((value) =>
  value,
);
declare function wrap(n: number): { transform<T>(f: (n: number) => T): T };
void arrow;
void Box;
`;

function measureFixture(): MeasuredFunction[] {
  const found: MeasuredFunction[] = [];
  withParsedSources(new Map([['test-fixture/sample.ts', fixture]]), (_path, sourceFile) => {
    found.push(...measureFunctions(sourceFile));
  });
  return found;
}

describe('function-sizes measures every function form from the parsed source', () => {
  test('each form is named and measured from its first line to its last', () => {
    expect(measureFixture()).toEqual([
      { name: 'declared', line: 2, lines: 6 },
      { name: 'arrow', line: 9, lines: 3 },
      { name: 'method', line: 14, lines: 3 },
      { name: 'property', line: 17, lines: 3 },
      { name: 'Box.field', line: 23, lines: 1 },
      { name: 'Box.constructor', line: 24, lines: 3 },
      { name: 'Box.area', line: 27, lines: 3 },
      { name: 'Box.grow', line: 30, lines: 1 },
      { name: 'twice', line: 35, lines: 6 },
      { name: 'map(…) callback in twice', line: 37, lines: 3 },
      { name: 'transform(…) callback in schema', line: 42, lines: 2 },
    ]);
  });
});
