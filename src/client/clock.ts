import { randomUUID } from 'node:crypto';
import type { Clock } from './materialize.js';

export const systemClock: Clock = { now: () => new Date(), uid: () => randomUUID() };
