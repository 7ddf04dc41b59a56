import { describe, expect, it } from 'vitest';
import { parseCsvRecords, parseProductsCsv, ProductCsvError } from './products';

describe('parseProductsCsv', () => {
  it.each([
    [
      'plain',
      '保温杯,99\n面膜,59元\n',
      [
        { name: '保温杯', price: '99' },
        { name: '面膜', price: '59元' },
      ],
    ],
    [
      'header, CRLF, BOM',
      '\uFEFFname,price,image\r\nCup,9.9,cup.png\r\n',
      [{ name: 'Cup', price: '9.9', image: 'cup.png' }],
    ],
    ['zh header', '名称,价格\n杯子,1', [{ name: '杯子', price: '1' }]],
    ['quoted comma', '"Cup, large",19', [{ name: 'Cup, large', price: '19' }]],
    ['doubled quote', '"The ""Best"" Cup",19', [{ name: 'The "Best" Cup', price: '19' }]],
    [
      'newline in quotes',
      '"two\nlines",5\nnext,6',
      [
        { name: 'two\nlines', price: '5' },
        { name: 'next', price: '6' },
      ],
    ],
    ['blank lines and spacing', '\n  Cup ,  9 \n\n', [{ name: 'Cup', price: '9' }]],
    ['empty image dropped', 'Cup,9,', [{ name: 'Cup', price: '9' }]],
    ['space before quote', 'Cup, "1,000"', [{ name: 'Cup', price: '1,000' }]],
    [
      'lone CR line ends',
      'a,1\rb,2',
      [
        { name: 'a', price: '1' },
        { name: 'b', price: '2' },
      ],
    ],
    ['empty input', '', []],
  ])('%s', (_label, csv, expected) => {
    expect(parseProductsCsv(csv)).toEqual(expected);
  });

  it.each([
    ['${host}', '$${price}'],
    ['=HYPERLINK("http://x","y")', '+1'],
    ['-2+3', '@SUM(A1)'],
    ["'; DROP TABLE products; --", '\\'],
    ['{{product}}', '$&'],
    ['<img src=x onerror=alert(1)>', '%s'],
  ])('hostile cells %j, %j stay literal', (name, price) => {
    const quote = (s: string) => `"${s.replaceAll('"', '""')}"`;
    expect(parseProductsCsv(`${quote(name)},${quote(price)}\n`)).toEqual([{ name, price }]);
  });

  it.each([
    ['a,1\n"b,2\nc,3', 2, /line 2: a quoted cell is never closed/],
    ['a,1\nb\n', 2, /line 2: 1 cells, expected name,price/],
    ['a,1\nb,2,c,d\n', 2, /line 2: 4 cells/],
    ['a,1\n"x"y,2\n', 2, /line 2: unexpected text after a closing quote/],
    ['a,1\nab"c,2\n', 2, /line 2: a quote inside an unquoted cell/],
    ['"multi\nline",1\n,2\n', 3, /line 3: the product name is empty/],
    ['a,\n', 1, /line 1: the price is empty/],
    [`${'x'.repeat(201)},1`, 1, /line 1: name is 201 characters, at most 200/],
    ['a,1\u0007', 1, /line 1: price has a control character/],
  ])('refuses %j at line %d', (csv, line, message) => {
    let caught: unknown;
    try {
      parseProductsCsv(csv);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ProductCsvError);
    expect((caught as ProductCsvError).line).toBe(line);
    expect((caught as ProductCsvError).message).toMatch(message);
  });

  it('refuses more than 5000 products', () => {
    const csv = Array.from({ length: 5001 }, (_, i) => `p${i},${i}`).join('\n');
    expect(() => parseProductsCsv(csv)).toThrow(/line 5001: more than 5000 products/);
  });
});

describe('parseCsvRecords', () => {
  it('reports the line each record starts on', () => {
    expect(parseCsvRecords('a,"b\nc"\nd,e').map((r) => [r.line, r.cells])).toEqual([
      [1, ['a', 'b\nc']],
      [3, ['d', 'e']],
    ]);
  });
  it('keeps empty cells', () => {
    expect(parseCsvRecords(',,\n')[0]?.cells).toEqual(['', '', '']);
  });
});
