// Stack-file options as commander collects them.

/** commander: `-c a -c b` collects both (a variadic option would swallow the stack name) */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
