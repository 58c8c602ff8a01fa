// The classic builder's progress stream, message by message (pure): `{stream}` text cut anywhere
// (step headers "Step 2/4 : RUN ...", the steps' output), `{aux: {ID}}` the built image, pull
// `{status}` lines for FROM with pull, and failures as `{error, errorDetail}` inside an HTTP 200.

export type BuildProgress =
  /** "Step 2/4 : RUN make" */
  | { type: 'step'; text: string }
  /** one line of the builder's or a step's output */
  | { type: 'output'; text: string }
  /** the built image's id (sha256:...), last */
  | { type: 'image'; id: string };

interface BuildMessage {
  stream?: string;
  status?: string;
  id?: string;
  progressDetail?: { current?: number };
  aux?: { ID?: string };
  error?: string;
  errorDetail?: { message?: string };
}

const STEP = /^Step \d+\/\d+ : /;

export class BuildStreamReader {
  /** the last step header seen: the failing one when an error follows */
  step?: string;
  imageId?: string;
  /** the first failure the builder reported */
  error?: string;
  private partial = '';

  read(value: unknown): BuildProgress[] {
    const msg = (value ?? {}) as BuildMessage;
    const out: BuildProgress[] = [];
    if (msg.errorDetail?.message || msg.error) {
      this.error ??= msg.errorDetail?.message || msg.error;
    }
    if (typeof msg.stream === 'string') out.push(...this.lines(msg.stream));
    if (msg.status && !msg.progressDetail?.current) {
      out.push({ type: 'output', text: msg.id ? `${msg.id}: ${msg.status}` : msg.status });
    }
    if (msg.aux?.ID) this.imageId = msg.aux.ID; // one per stage of a multi-stage build: the last is the image
    return out;
  }

  /** At the end of the stream: the unfinished last line, then the image (unless the build failed). */
  end(): BuildProgress[] {
    const out = this.lines('\n');
    if (this.imageId && !this.error) out.push({ type: 'image', id: this.imageId });
    return out;
  }

  private lines(text: string): BuildProgress[] {
    const parts = (this.partial + text).split('\n');
    this.partial = parts.pop() ?? '';
    return parts
      .map((l) => l.replace(/\r$/, ''))
      .filter((l) => l.trim() !== '')
      .map((line) => {
        if (!STEP.test(line)) return { type: 'output', text: line } as const;
        this.step = line.trim();
        return { type: 'step', text: this.step } as const;
      });
  }
}

/**
 * One line for a failed build: `build <name>: <step>: <reason>`, the builder's wording shortened
 * ("The command '/bin/sh -c false' returned a non-zero code: 1" → "returned a non-zero code: 1")
 * and a Dockerfile syntax error located as `<dockerfile>:<line>: <reason>`.
 */
export function buildFailure(name: string, step: string | undefined, engineMessage: string, dockerfileLabel: string): string {
  const reason = engineMessage.replace(/\s+/g, ' ').trim();
  const parse = /^dockerfile parse error line (\d+): (.*)$/i.exec(reason);
  if (parse) return `build ${name}: ${dockerfileLabel}:${parse[1]}: ${parse[2]}`;
  const short = reason.replace(/^The command '.*' (returned a non-zero code: \d+)$/, '$1');
  return `build ${name}: ${step ? `${step}: ` : ''}${short}`;
}
