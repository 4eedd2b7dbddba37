// Owns the SQLite connection: opening it with the durability settings the store promises, the
// prepared-statement cache, and refusing work after close. Schema lives in migrations.ts.
import Database from "better-sqlite3";
import { migrate } from "./migrations.js";

export type Db = Database.Database;
export type Stmt = Database.Statement<unknown[], unknown>;

export class Engine {
  readonly db: Db;
  private readonly stmts = new Map<string, Stmt>();
  private closed = false;

  constructor(file: string) {
    this.db = new Database(file);
    try {
      // WAL lets readers run beside the writer; synchronous=FULL syncs the WAL on every commit,
      // because appendBatch's caller acknowledges records as durable when it returns.
      this.db.pragma("journal_mode = WAL");
      this.db.pragma("synchronous = FULL");
      this.db.pragma("foreign_keys = ON");
      this.db.pragma("busy_timeout = 5000");
      this.db.pragma("temp_store = MEMORY");
      this.db.pragma("cache_size = -65536"); // 64 MiB of page cache
      migrate(this.db);
    } catch (err) {
      this.db.close();
      throw err;
    }
  }

  /** A prepared statement, compiled once per SQL text. */
  stmt(sql: string): Stmt {
    let s = this.stmts.get(sql);
    if (s === undefined) {
      this.assertOpen();
      s = this.db.prepare(sql);
      this.stmts.set(sql, s);
    }
    return s;
  }

  assertOpen(): void {
    if (this.closed) throw new Error("the store is closed: open a new one with openStore()");
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stmts.clear();
    this.db.close();
  }
}
