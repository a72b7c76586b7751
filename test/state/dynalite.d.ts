declare module 'dynalite' {
  import type { Server } from 'node:http';
  /** dynalite 4: a DynamoDB server in Node (no types published). */
  export default function dynalite(options?: { createTableMs?: number; deleteTableMs?: number; updateTableMs?: number; path?: string }): Server;
}
