/**
 * The session's product list, imported from CSV: `name,price[,image]` per line, RFC 4180 quoting
 * ("a, b" keeps its comma, "" is a quote, a quoted cell may span lines), an optional header
 * line, a UTF-8 BOM and CRLF tolerated. Cells are kept as written (trimmed): a cell such as
 * `=HYPERLINK(…)` or `${host}` is just text here, and every consumer treats it as text.
 */

export interface Product {
  name: string;
  /** As the operator wrote it: '99', '¥99', '99元/2件'. */
  price: string;
  /** An image path or URL, as written; never opened here. */
  image?: string;
}

export class ProductCsvError extends Error {
  constructor(
    message: string,
    /** 1-based line of the input where the offending record starts. */
    readonly line: number,
  ) {
    super(message);
    this.name = 'ProductCsvError';
  }
}

export const MAX_PRODUCTS = 5000;
const MAX_NAME = 200;
const MAX_PRICE = 64;
const MAX_IMAGE = 2048;

export interface CsvRecord {
  line: number;
  cells: string[];
}

/** Splits CSV text into records (RFC 4180), each with the line it starts on. */
export function parseCsvRecords(input: string): CsvRecord[] {
  const text = input.startsWith('\uFEFF') ? input.slice(1) : input;
  const records: CsvRecord[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const start = line;
    const cells: string[] = [];
    for (;;) {
      let cell = '';
      if (text[i] === '"') {
        i++;
        for (;;) {
          if (i >= text.length)
            throw new ProductCsvError(`line ${start}: a quoted cell is never closed`, start);
          const ch = text[i]!;
          if (ch === '"') {
            if (text[i + 1] === '"') {
              cell += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (ch === '\n') line++;
          cell += ch;
          i++;
        }
        // Only spacing may follow the closing quote before the separator.
        while (text[i] === ' ' || text[i] === '\t') i++;
        const next = text[i];
        if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r')
          throw new ProductCsvError(
            `line ${line}: unexpected text after a closing quote (write "" for a quote inside a quoted cell)`,
            start,
          );
      } else {
        while (i < text.length && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
          if (text[i] === '"' && cell.trim() === '' && cell.length > 0) {
            // ` "quoted"` — spacing before a quote: treat as a quoted cell.
            cell = '';
            break;
          }
          if (text[i] === '"')
            throw new ProductCsvError(
              `line ${line}: a quote inside an unquoted cell (quote the whole cell and write "")`,
              start,
            );
          cell += text[i];
          i++;
        }
        if (text[i] === '"') continue; // re-read as a quoted cell
      }
      cells.push(cell);
      if (text[i] === ',') {
        i++;
        continue;
      }
      // End of record: \r\n, \n, \r or end of input.
      if (text[i] === '\r') i++;
      if (text[i] === '\n') i++;
      line++;
      break;
    }
    records.push({ line: start, cells });
  }
  return records;
}

function isHeader(cells: string[]): boolean {
  const names = cells.map((c) => c.trim().toLowerCase());
  return (
    (names[0] === 'name' || names[0] === '名称' || names[0] === '商品') &&
    (names[1] === 'price' || names[1] === '价格')
  );
}

/** Control characters other than tab and line ends (which a quoted cell may hold). */
const CONTROL = /(?![\t\n\r])\p{Cc}/u;

function cellText(value: string, what: string, max: number, line: number): string {
  const v = value.trim();
  if (v.length > max)
    throw new ProductCsvError(
      `line ${line}: ${what} is ${v.length} characters, at most ${max}`,
      line,
    );
  if (CONTROL.test(v))
    throw new ProductCsvError(`line ${line}: ${what} has a control character`, line);
  return v;
}

/** Parses a product list; throws ProductCsvError naming the line for anything it refuses. */
export function parseProductsCsv(input: string): Product[] {
  const products: Product[] = [];
  const records = parseCsvRecords(input);
  records.forEach((rec, index) => {
    const { line, cells } = rec;
    if (cells.length === 1 && cells[0]!.trim() === '') return; // blank line
    if (index === 0 && isHeader(cells)) return;
    if (cells.length < 2 || cells.length > 3)
      throw new ProductCsvError(
        `line ${line}: ${cells.length} cells, expected name,price or name,price,image`,
        line,
      );
    const name = cellText(cells[0]!, 'name', MAX_NAME, line);
    if (name === '') throw new ProductCsvError(`line ${line}: the product name is empty`, line);
    const price = cellText(cells[1]!, 'price', MAX_PRICE, line);
    if (price === '') throw new ProductCsvError(`line ${line}: the price is empty`, line);
    const image = cells[2] === undefined ? '' : cellText(cells[2], 'image', MAX_IMAGE, line);
    if (products.length >= MAX_PRODUCTS)
      throw new ProductCsvError(`line ${line}: more than ${MAX_PRODUCTS} products`, line);
    products.push(image === '' ? { name, price } : { name, price, image });
  });
  return products;
}
