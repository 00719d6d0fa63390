/** A parsed SOQL statement, before its names are checked against the object model. */
export interface Query {
  select: SelectItem[];
  from: Name;
  where: Condition | null;
  orderBy: OrderItem[];
  limit: number | null;
  offset: number | null;
}

/** An identifier as written, with its offset. */
export interface Name {
  text: string;
  pos: number;
}

/** `Name` or `Room__r.Name`: names as written. */
export interface FieldRef {
  parts: Name[];
  pos: number;
}

export type SelectItem = { kind: 'field'; field: FieldRef } | { kind: 'count'; pos: number };

export interface OrderItem {
  field: FieldRef;
  descending: boolean;
  /** As written; null when the statement leaves it to the default. */
  nullsLast: boolean | null;
}

export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

export type Condition =
  | { kind: 'and' | 'or'; items: Condition[] }
  | { kind: 'not'; item: Condition }
  | { kind: 'compare'; field: FieldRef; op: CompareOp; value: Literal }
  | { kind: 'in'; field: FieldRef; negated: boolean; values: Literal[] }
  | { kind: 'like'; field: FieldRef; pattern: Extract<Literal, { kind: 'string' }> };

export type Literal = (
  | { kind: 'string'; value: string; raw: string }
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' }
  | { kind: 'date'; value: string }
  | { kind: 'datetime'; value: number }
  /** TODAY, YESTERDAY, TOMORROW: days from today. */
  | { kind: 'relativeDate'; name: string; days: number }
) & { pos: number };
