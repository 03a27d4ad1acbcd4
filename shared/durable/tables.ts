/**
 * Whether the object has created `table` yet. The shared tables (inbox, outbox) and an order's own are
 * created with their first row, not when the object starts: an object that is only ever read (an order
 * id nobody placed, asked for by anyone) then stores nothing at all.
 */
export function hasTable(sql: SqlStorage, table: string): boolean {
  return (
    sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", table).toArray().length > 0
  );
}
