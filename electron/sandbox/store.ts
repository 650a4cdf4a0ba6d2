/**
 * The sandbox's memory: tables of rows with in-memory indexes (by id, by unique name, by owner),
 * and drafts — change sets over the tables that a call (or a whole transaction) fills and that
 * are applied at once or thrown away. What a draft applies is appended to the operation log
 * (op-log.ts) before it is applied and the call answered, so the state survives a kill without
 * ever being rewritten whole.
 */
export type Key = number | string;
export type Row = Record<string, unknown>;

export interface TableSpec {
  /** The primary key member. */
  readonly key: string;
  /** Unique look-ups: index name → the row's value (undefined: not indexed). */
  readonly unique?: Readonly<Record<string, (r: Row) => string | undefined>>;
  /** Grouped look-ups (rows of one owner): index name → group value (an owner's id as the
   * number it is: a number key costs the index nothing, a string of it one string per group). */
  readonly groups?: Readonly<Record<string, (r: Row) => Key | undefined>>;
}

/** Read access, the same over the committed tables and over a draft. */
export interface View {
  get<R extends Row>(table: string, key: Key): R | undefined;
  unique<R extends Row>(table: string, index: string, value: string): R | undefined;
  group<R extends Row>(table: string, index: string, value: Key): R[];
  all<R extends Row>(table: string): R[];
  counter(kind: string): number | undefined;
}

/** What one applied call or committed transaction changed: one line of the operation log. */
export interface ChangeSet {
  readonly puts: [string, Row][];
  readonly dels: [string, Key][];
  readonly counters: Record<string, number>;
}

/**
 * The keys of a group's rows in the order they were put: most groups hold one row (the domains
 * of a subscription, the records of a domain: a few), so one key stands alone and a few share an
 * array; a Set (~100 bytes even when it holds one key) only for a group grown large.
 */
type GroupKeys = Key | Key[] | Set<Key>;
const GROUP_ARRAY_MAX = 32;

function withKey(keys: GroupKeys | undefined, key: Key): GroupKeys {
  if (keys === undefined) return key;
  if (keys instanceof Set) return keys.add(key);
  if (!Array.isArray(keys)) return [keys, key];
  if (keys.length < GROUP_ARRAY_MAX) {
    keys.push(key);
    return keys;
  }
  return new Set([...keys, key]);
}

/** The group without `key`; undefined when nothing is left. */
function withoutKey(keys: GroupKeys | undefined, key: Key): GroupKeys | undefined {
  if (keys === undefined || keys === key) return undefined;
  if (keys instanceof Set) {
    keys.delete(key);
    return keys.size > 0 ? keys : undefined;
  }
  if (!Array.isArray(keys)) return keys;
  const at = keys.indexOf(key);
  if (at >= 0) keys.splice(at, 1);
  return keys.length > 1 ? keys : keys[0];
}

function keysOf(keys: GroupKeys | undefined): Iterable<Key> {
  if (keys === undefined) return [];
  return Array.isArray(keys) || keys instanceof Set ? keys : [keys];
}

class Table {
  readonly rows = new Map<Key, Row>();
  readonly #unique = new Map<string, Map<string, Key>>();
  readonly #groups = new Map<string, Map<Key, GroupKeys>>();

  constructor(readonly spec: TableSpec) {
    for (const name of Object.keys(spec.unique ?? {})) this.#unique.set(name, new Map());
    for (const name of Object.keys(spec.groups ?? {})) this.#groups.set(name, new Map());
  }

  keyOf(row: Row): Key {
    return row[this.spec.key] as Key;
  }

  put(row: Row): void {
    const key = this.keyOf(row);
    this.delete(key);
    this.rows.set(key, row);
    for (const [name, fn] of Object.entries(this.spec.unique ?? {})) {
      const v = fn(row);
      if (v !== undefined) this.#unique.get(name)?.set(v, key);
    }
    for (const [name, fn] of Object.entries(this.spec.groups ?? {})) {
      const v = fn(row);
      const index = this.#groups.get(name);
      if (v !== undefined && index) index.set(v, withKey(index.get(v), key));
    }
  }

  delete(key: Key): void {
    const old = this.rows.get(key);
    if (!old) return;
    this.rows.delete(key);
    for (const [name, fn] of Object.entries(this.spec.unique ?? {})) {
      const v = fn(old);
      const index = this.#unique.get(name);
      if (v !== undefined && index?.get(v) === key) index.delete(v);
    }
    for (const [name, fn] of Object.entries(this.spec.groups ?? {})) {
      const v = fn(old);
      const index = this.#groups.get(name);
      if (v === undefined || !index) continue;
      const left = withoutKey(index.get(v), key);
      if (left === undefined) index.delete(v);
      else index.set(v, left);
    }
  }

  unique(index: string, value: string): Row | undefined {
    const key = this.#unique.get(index)?.get(value);
    return key === undefined ? undefined : this.rows.get(key);
  }

  group(index: string, value: Key): Row[] {
    const rows: Row[] = [];
    for (const k of keysOf(this.#groups.get(index)?.get(value))) {
      const row = this.rows.get(k);
      if (row) rows.push(row);
    }
    return rows;
  }
}

/** The committed state: every table with its indexes, and the id counters. */
export class Store implements View {
  readonly #tables = new Map<string, Table>();
  readonly #counters = new Map<string, number>();

  constructor(specs: Readonly<Record<string, TableSpec>>) {
    for (const [name, spec] of Object.entries(specs)) this.#tables.set(name, new Table(spec));
  }

  table(name: string): Table {
    const t = this.#tables.get(name);
    if (!t) throw new Error(`no table ${name}`);
    return t;
  }

  get tableNames(): string[] {
    return [...this.#tables.keys()];
  }

  get<R extends Row>(table: string, key: Key): R | undefined {
    return this.table(table).rows.get(key) as R | undefined;
  }
  unique<R extends Row>(table: string, index: string, value: string): R | undefined {
    return this.table(table).unique(index, value) as R | undefined;
  }
  group<R extends Row>(table: string, index: string, value: Key): R[] {
    return this.table(table).group(index, value) as R[];
  }
  all<R extends Row>(table: string): R[] {
    return [...this.table(table).rows.values()] as R[];
  }
  counter(kind: string): number | undefined {
    return this.#counters.get(kind);
  }
  /** Moves an id counter on at once: ids handed out are never handed out again, even to a
   * transaction staged beside this one (its commit would otherwise meet the same id). */
  bump(kind: string, value: number): void {
    if (value > (this.#counters.get(kind) ?? 0)) this.#counters.set(kind, value);
  }
  get counters(): Record<string, number> {
    return Object.fromEntries(this.#counters);
  }
  /** How many rows every table holds together. */
  get rowCount(): number {
    let rows = 0;
    for (const table of this.#tables.values()) rows += table.rows.size;
    return rows;
  }

  /** Applies a change set. Idempotent: puts replace by key, deletes of absent rows do nothing,
   * counters only move up — so replaying a log line twice (a crash mid-compaction) is harmless. */
  apply(change: ChangeSet): void {
    for (const [table, row] of change.puts) this.table(table).put(row);
    for (const [table, key] of change.dels) this.table(table).delete(key);
    for (const [kind, value] of Object.entries(change.counters)) {
      if (value > (this.#counters.get(kind) ?? 0)) this.#counters.set(kind, value);
    }
  }
}

/** Changes staged over a view (the store, or a transaction's draft): read through, write aside. */
export class Draft implements View {
  readonly #puts = new Map<string, Map<Key, Row>>();
  readonly #dels = new Map<string, Set<Key>>();
  /** Id counters this draft moved on (their values live in the store). */
  readonly #touched = new Set<string>();
  /** Rows that did not exist in the parent when first put here. */
  readonly #created = new Map<string, Set<Key>>();

  constructor(
    readonly parent: View,
    private readonly specs: Readonly<Record<string, TableSpec>>,
  ) {}

  private keys(table: string): string {
    const spec = this.specs[table];
    if (!spec) throw new Error(`no table ${table}`);
    return spec.key;
  }

  #hidden(table: string, key: Key): boolean {
    return (this.#dels.get(table)?.has(key) ?? false) || (this.#puts.get(table)?.has(key) ?? false);
  }
  #own(table: string): Row[] {
    return [...(this.#puts.get(table)?.values() ?? [])];
  }

  get<R extends Row>(table: string, key: Key): R | undefined {
    if (this.#dels.get(table)?.has(key)) return undefined;
    return (this.#puts.get(table)?.get(key) as R | undefined) ?? this.parent.get<R>(table, key);
  }
  unique<R extends Row>(table: string, index: string, value: string): R | undefined {
    const fn = this.specs[table]?.unique?.[index];
    const mine = fn && this.#own(table).find((r) => fn(r) === value);
    if (mine) return mine as R;
    const found = this.parent.unique<R>(table, index, value);
    return found && !this.#hidden(table, found[this.keys(table)] as Key) ? found : undefined;
  }
  group<R extends Row>(table: string, index: string, value: Key): R[] {
    const fn = this.specs[table]?.groups?.[index];
    const key = this.keys(table);
    const base = this.parent.group<R>(table, index, value).filter((r) => !this.#hidden(table, r[key] as Key));
    return fn ? [...base, ...(this.#own(table).filter((r) => fn(r) === value) as R[])] : base;
  }
  all<R extends Row>(table: string): R[] {
    const key = this.keys(table);
    return [
      ...this.parent.all<R>(table).filter((r) => !this.#hidden(table, r[key] as Key)),
      ...(this.#own(table) as R[]),
    ];
  }
  counter(kind: string): number | undefined {
    return this.root.counter(kind);
  }

  /** The committed store under every draft. */
  get root(): Store {
    return this.parent instanceof Draft ? this.parent.root : (this.parent as Store);
  }

  put(table: string, row: Row): void {
    const key = row[this.keys(table)] as Key;
    this.#dels.get(table)?.delete(key);
    if (!this.#puts.get(table)?.has(key) && this.parent.get(table, key) === undefined) {
      let created = this.#created.get(table);
      if (!created) this.#created.set(table, (created = new Set()));
      created.add(key);
    }
    let rows = this.#puts.get(table);
    if (!rows) this.#puts.set(table, (rows = new Map()));
    rows.set(key, row);
  }
  del(table: string, key: Key): void {
    this.#puts.get(table)?.delete(key);
    let keys = this.#dels.get(table);
    if (!keys) this.#dels.set(table, (keys = new Set()));
    keys.add(key);
  }
  setCounter(kind: string, value: number): void {
    this.root.bump(kind, value);
    this.#touched.add(kind);
  }

  /** Whether a row was created here (it was not in the parent when first put). */
  created(table: string, key: Key): boolean {
    return (this.#created.get(table)?.has(key) ?? false) && (this.#puts.get(table)?.has(key) ?? false);
  }

  /** The rows this draft added or changed, per table. */
  puts(): [string, Row][] {
    return [...this.#puts].flatMap(([t, rows]) => [...rows.values()].map((r): [string, Row] => [t, r]));
  }

  changeSet(): ChangeSet {
    return {
      puts: this.puts(),
      dels: [...this.#dels].flatMap(([t, keys]) => [...keys].map((k): [string, Key] => [t, k])),
      counters: Object.fromEntries([...this.#touched].map((k) => [k, this.root.counter(k) ?? 0])),
    };
  }

  /** Folds a child draft (a call inside a transaction) into this one. */
  absorb(child: Draft): void {
    const change = child.changeSet();
    for (const [t, r] of change.puts) this.put(t, r);
    for (const [t, k] of change.dels) this.del(t, k);
    for (const [k, v] of Object.entries(change.counters)) this.setCounter(k, v);
  }
}
