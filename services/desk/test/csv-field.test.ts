import { describe, expect, test } from 'vitest';
import { foldForSearch, storableText } from '../src/archive/fold-text.js';
import { csvField } from '../src/export/csv-export.js';

describe('csvField', () => {
  test.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['=1+1', "'=1+1"],
    ['+57 300', "'+57 300"],
    ['-2', "'-2"],
    ['@cmd', "'@cmd"],
    [null, ''],
    [131047, '131047'],
  ])('%j -> %j', (value, expected) => {
    expect(csvField(value)).toBe(expected);
  });
});

describe('text for PostgreSQL', () => {
  test('NUL is removed; accents and case folded for search', () => {
    expect(storableText('a\u0000b')).toBe('ab');
    expect(foldForSearch('CONEXIÓN Pingüino Ñandú')).toBe('conexion pinguino nandu');
  });
});
