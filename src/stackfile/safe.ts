// Every key in a stack file is data: `__proto__`, `constructor` or `toString` are names like any
// other. Objects built from user keys are written with these (never `obj[key] = v`, which would
// set a prototype), and read with Object.hasOwn (never `obj[key]`, which would find Object's methods).

/** Sets an own, enumerable property, even one named `__proto__`. */
export function setOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** obj[key] when obj has it as its own property. */
export function getOwn<T>(obj: Record<string, T> | null | undefined, key: string): T | undefined {
  return obj != null && Object.hasOwn(obj, key) ? obj[key] : undefined;
}
