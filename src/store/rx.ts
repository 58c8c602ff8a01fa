// rxjs, loaded on first use: its CommonJS index (what Node resolves `rxjs` to) loads every
// operator, about 100 ms of CPU, and a command that only reads never watches. The store's
// modules take it from here when they first make a stream.
import type * as Rxjs from 'rxjs';
import { lazyRequire } from '../lazy-require.js';

export const rx = lazyRequire<typeof Rxjs>('rxjs');
