// Splits a byte stream of concatenated JSON values into values, whatever the chunking: the engine's
// event and pull streams can cut a value across chunks or put several in one, with or without
// newlines between them. Pure: feed it chunks, it returns the values completed so far.
export class JsonStreamParser {
  private buffer = '';
  private readonly decoder = new TextDecoder();

  /** Values completed by this chunk; a malformed value is reported to onError and skipped. */
  push(chunk: Buffer | string, onError?: (err: Error, text: string) => void): unknown[] {
    this.buffer += typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    const values: unknown[] = [];
    let start = 0;
    let depth = 0;
    let inString = false;
    let escaped = false;
    for (let i = 0; i < this.buffer.length; i++) {
      const c = this.buffer[i];
      if (inString) {
        if (escaped) escaped = false;
        else if (c === '\\') escaped = true;
        else if (c === '"') inString = false;
      } else if (c === '"') {
        inString = true;
      } else if (c === '{' || c === '[') {
        if (depth === 0) start = i;
        depth++;
      } else if ((c === '}' || c === ']') && depth > 0) {
        depth--;
        if (depth === 0) {
          const text = this.buffer.slice(start, i + 1);
          try {
            values.push(JSON.parse(text));
          } catch (err) {
            onError?.(err as Error, text);
          }
          start = i + 1;
        }
      } else if (depth === 0) {
        start = i + 1; // whitespace or stray bytes between values
      }
    }
    this.buffer = depth === 0 && !inString ? '' : this.buffer.slice(start);
    return values;
  }
}
