import type { CompareOp, Condition, FieldRef, Literal, Name, OrderItem, Query, SelectItem } from './ast.js';
import { malformed } from './errors.js';
import { tokenize, type Token } from './tokenizer.js';

/** Words that cannot name a field or an object. */
const RESERVED = new Set([
  'AND',
  'ASC',
  'BY',
  'DESC',
  'EXCLUDES',
  'FALSE',
  'FIRST',
  'FROM',
  'GROUP',
  'HAVING',
  'IN',
  'INCLUDES',
  'LAST',
  'LIKE',
  'LIMIT',
  'NOT',
  'NULL',
  'NULLS',
  'OFFSET',
  'OR',
  'ORDER',
  'SELECT',
  'TRUE',
  'USING',
  'WHERE',
  'WITH',
]);

/** SOQL the emulator knows but does not implement: refused with a message that says so. */
const UNSUPPORTED = new Set(['GROUP', 'HAVING', 'WITH', 'USING', 'FOR', 'TYPEOF', 'INCLUDES', 'EXCLUDES']);

const RELATIVE_DATES: Record<string, number> = { TODAY: 0, YESTERDAY: -1, TOMORROW: 1 };

/**
 * Parses the SOQL subset the emulator answers:
 *
 *   SELECT (COUNT() | path {, path}) FROM object
 *     [WHERE condition] [ORDER BY path [ASC|DESC] [NULLS FIRST|LAST] {, …}] [LIMIT n] [OFFSET n]
 *
 * where a path is `Field` or `Relationship.Field`, and a condition combines comparisons
 * (`= != <> < <= > >=`), `[NOT] IN (…)` and `LIKE` with AND, OR, NOT and parentheses. As in SOQL, AND
 * and OR cannot be mixed at one level without parentheses.
 */
export function parseSoql(soql: string): Query {
  return new Parser(tokenize(soql)).query();
}

class Parser {
  private i = 0;

  constructor(private readonly tokens: Token[]) {}

  query(): Query {
    this.expectKeyword('SELECT');
    const select = [this.selectItem()];
    while (this.acceptPunct(',')) select.push(this.selectItem());
    this.expectKeyword('FROM');
    const from = this.name();
    const where = this.acceptKeyword('WHERE') ? this.condition() : null;
    const orderBy: OrderItem[] = [];
    if (this.acceptKeyword('ORDER')) {
      this.expectKeyword('BY');
      do orderBy.push(this.orderItem());
      while (this.acceptPunct(','));
    }
    const limit = this.acceptKeyword('LIMIT') ? this.integer() : null;
    const offset = this.acceptKeyword('OFFSET') ? this.integer() : null;
    if (this.peek().kind !== 'eof') throw this.unexpected(this.peek());
    return { select, from, where, orderBy, limit, offset };
  }

  private selectItem(): SelectItem {
    const token = this.peek();
    const following = this.tokens[this.i + 1];
    if (token.kind === 'ident' && following?.kind === 'punct' && following.text === '(') {
      if (token.text.toUpperCase() !== 'COUNT') {
        throw malformed(
          `${token.text.toUpperCase()}() is not supported by the Dewy Resort emulator`,
          token.pos,
        );
      }
      this.i += 2;
      if (!this.acceptPunct(')')) {
        throw malformed('COUNT(field) is not supported by the Dewy Resort emulator; use COUNT()', token.pos);
      }
      return { kind: 'count', pos: token.pos };
    }
    return { kind: 'field', field: this.fieldRef() };
  }

  private orderItem(): OrderItem {
    const field = this.fieldRef();
    const descending = this.acceptKeyword('DESC');
    if (!descending) this.acceptKeyword('ASC');
    let nullsLast: boolean | null = null;
    if (this.acceptKeyword('NULLS')) {
      if (this.acceptKeyword('LAST')) nullsLast = true;
      else {
        this.expectKeyword('FIRST');
        nullsLast = false;
      }
    }
    return { field, descending, nullsLast };
  }

  /** condition := unary {AND unary} | unary {OR unary} */
  private condition(): Condition {
    const first = this.unary();
    let connective: 'AND' | 'OR' | null = null;
    const items = [first];
    for (;;) {
      const token = this.peek();
      const word = token.kind === 'ident' ? token.text.toUpperCase() : '';
      if (word !== 'AND' && word !== 'OR') break;
      if (connective && word !== connective) throw this.unexpected(token);
      connective = word;
      this.i++;
      items.push(this.unary());
    }
    if (!connective) return first;
    return { kind: connective === 'AND' ? 'and' : 'or', items };
  }

  /** unary := NOT unary | '(' condition ')' | predicate */
  private unary(): Condition {
    if (this.acceptKeyword('NOT')) return { kind: 'not', item: this.unary() };
    if (this.acceptPunct('(')) {
      const inner = this.condition();
      this.expectPunct(')');
      return inner;
    }
    return this.predicate();
  }

  /** predicate := path op literal | path [NOT] IN '(' literal {, literal} ')' | path LIKE string */
  private predicate(): Condition {
    const field = this.fieldRef();
    const token = this.next();
    if (token.kind === 'op') {
      const op = (token.text === '<>' ? '!=' : token.text) as CompareOp;
      return { kind: 'compare', field, op, value: this.literal() };
    }
    const word = token.kind === 'ident' ? token.text.toUpperCase() : '';
    if (word === 'NOT' || word === 'IN') {
      if (word === 'NOT') this.expectKeyword('IN');
      return { kind: 'in', field, negated: word === 'NOT', values: this.literalList() };
    }
    if (word === 'LIKE') {
      const pattern = this.literal();
      if (pattern.kind !== 'string') throw malformed('LIKE takes a quoted string', pattern.pos);
      return { kind: 'like', field, pattern };
    }
    throw this.unexpected(token);
  }

  private literalList(): Literal[] {
    this.expectPunct('(');
    const select = this.peek();
    if (select.kind === 'ident' && select.text.toUpperCase() === 'SELECT') {
      throw malformed('semi-join subqueries are not supported by the Dewy Resort emulator', select.pos);
    }
    const values = [this.literal()];
    while (this.acceptPunct(',')) values.push(this.literal());
    this.expectPunct(')');
    return values;
  }

  private literal(): Literal {
    const token = this.next();
    const pos = token.pos;
    switch (token.kind) {
      case 'string':
        return { kind: 'string', value: token.value, raw: token.raw, pos };
      case 'number':
        return { kind: 'number', value: token.value, pos };
      case 'date':
        return { kind: 'date', value: token.value, pos };
      case 'datetime':
        return { kind: 'datetime', value: token.value, pos };
      case 'punct': {
        const digits = this.peek();
        if (token.text === '-' && digits.kind === 'number') {
          this.i++;
          return { kind: 'number', value: -digits.value, pos };
        }
        throw this.unexpected(token);
      }
      case 'ident': {
        const word = token.text.toUpperCase();
        if (word === 'TRUE' || word === 'FALSE') return { kind: 'boolean', value: word === 'TRUE', pos };
        if (word === 'NULL') return { kind: 'null', pos };
        const days = RELATIVE_DATES[word];
        if (days !== undefined) return { kind: 'relativeDate', name: word, days, pos };
        throw this.unexpected(token);
      }
      case 'op':
      case 'eof':
        throw this.unexpected(token);
    }
  }

  private fieldRef(): FieldRef {
    const first = this.name();
    const parts = [first];
    while (this.acceptPunct('.')) parts.push(this.name());
    return { parts, pos: first.pos };
  }

  /** An identifier that is not a reserved word. */
  private name(): Name {
    const token = this.next();
    if (token.kind !== 'ident' || RESERVED.has(token.text.toUpperCase())) throw this.unexpected(token);
    return { text: token.text, pos: token.pos };
  }

  private integer(): number {
    const token = this.next();
    if (token.kind !== 'number' || !Number.isInteger(token.value)) throw this.unexpected(token);
    return token.value;
  }

  private peek(): Token {
    return this.tokens[this.i] as Token;
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'eof') this.i++;
    return token;
  }

  private acceptKeyword(word: string): boolean {
    const token = this.peek();
    if (token.kind !== 'ident' || token.text.toUpperCase() !== word) return false;
    this.i++;
    return true;
  }

  private expectKeyword(word: string): void {
    if (!this.acceptKeyword(word)) throw this.unexpected(this.peek());
  }

  private acceptPunct(text: string): boolean {
    const token = this.peek();
    if (token.kind !== 'punct' || token.text !== text) return false;
    this.i++;
    return true;
  }

  private expectPunct(text: string): void {
    if (!this.acceptPunct(text)) throw this.unexpected(this.peek());
  }

  private unexpected(token: Token) {
    const word = token.kind === 'ident' ? token.text.toUpperCase() : '';
    if (UNSUPPORTED.has(word)) {
      return malformed(`${word} is not supported by the Dewy Resort emulator`, token.pos);
    }
    return malformed(`unexpected token: ${token.kind === 'eof' ? '<EOF>' : token.text}`, token.pos);
  }
}
