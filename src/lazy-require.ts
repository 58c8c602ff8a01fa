// A module required on first use instead of imported at start. Start-up is most of a short
// command's time, and some modules every command imports need a heavy dependency only on paths
// that a read never takes (rxjs for watches, node:crypto for sealing and hashing). The module is
// the same instance an `import` of it gives (Node's CommonJS cache).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** A function returning the module `id`, required on its first call. */
export function lazyRequire<T>(id: string): () => T {
  let loaded: T | undefined;
  return () => {
    loaded ??= require(id) as T;
    return loaded;
  };
}
