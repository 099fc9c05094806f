// Reading stacks for reports and debug mode: which frames are curio's own (left out of what the
// user is shown), the first frame of the user's code, and a task's name read from a stack of
// its own. V8's format (Node, Chromium, Deno); on other hosts nothing is read and stacks are
// shown as they are.

const FRAME = /^\s+at /;
// `at worker.next (<anonymous>)`: a generator resumed (the frame above it is its body).
const RESUME = /^\s+at (\S+)\.(?:next|throw|return) \(<anonymous>\)$/;
// `at Kernel.#step (file:1:2)`: the scheduler's step, which resumes the task.
const STEP = /\.#step \(/;
// `at worker (file:1:2)`: the function of a frame.
const FUNCTION = /^\s+at (?:async )?(\S+) \(/;

// The kernel's own directory (of its sources or its build), read once from this module's frame.
let kernelDir: string | undefined;

function ownDir(): string {
  if (kernelDir === undefined) {
    const file = fileOf(frameLines(new Error('here').stack)[0] ?? '') ?? '';
    kernelDir = file.slice(0, file.lastIndexOf('/') + 1);
  }
  return kernelDir;
}

/** @internal The frame lines of a V8 stack (none on other hosts). */
export function frameLines(stack: string | undefined): string[] {
  return stack === undefined ? [] : stack.split('\n').filter((line) => FRAME.test(line));
}

// The file of a frame (`at fn (file:1:2)` or `at file:1:2`), or undefined.
function fileOf(frame: string): string | undefined {
  const at = frame.trim().replace(/^at (?:async )?/, '');
  const location = at.endsWith(')') ? at.slice(at.lastIndexOf('(') + 1, -1) : at;
  return /^(.*?):\d+:\d+$/.exec(location)?.[1];
}

/** @internal A frame of the kernel's own files. */
export function isKernelFrame(frame: string): boolean {
  const file = fileOf(frame);
  return file?.startsWith(ownDir()) === true;
}

// A frame of curio (the kernel, an installed @curio package) or of the host (`node:`, the
// generator machinery): not the user's code.
function isLibraryFrame(frame: string): boolean {
  const file = fileOf(frame);
  return file === undefined || /^node:|\/@curio\//.test(file) || file.startsWith(ownDir());
}

/** @internal The first frame of the user's own code in `stack` (`fn (file:1:2)`), if any. */
export function userFrame(stack: string | undefined): string | undefined {
  const frame = frameLines(stack).find((line) => !isLibraryFrame(line));
  return frame?.trim().slice(3);
}

/** @internal `file:line` of a frame (a file URL shown as a path). */
export function siteOf(frame: string): string {
  const at = frame.endsWith(')') ? frame.slice(frame.lastIndexOf('(') + 1, -1) : frame;
  const site = at.replace(/:\d+$/, '');
  if (!site.startsWith('file://')) return site;
  const path = decodeURI(site.slice(7));
  return /^\/[A-Za-z]:/.test(path) ? path.slice(1) : path;
}

// Where the scheduler resumed the task: the scheduler's step; or (where it is not named so, as
// in a minified bundle) the first kernel frame right below a generator's resume that is not
// itself a generator's body (as the kernel's `asyncWith` or `timeoutAfter` are). Once V8 has
// optimized the step it leaves out the resume frame of the task's outermost generator: only
// the step's own frame marks the place then. The frames above it are the task's; -1 when the
// stack does not reach it.
function schedulerAt(frames: string[]): number {
  const step = frames.findIndex((frame) => STEP.test(frame) && isKernelFrame(frame));
  if (step >= 0) return step;
  for (let i = 1; i < frames.length; i++) {
    if (
      RESUME.test(frames[i - 1]!) &&
      isKernelFrame(frames[i]!) &&
      !RESUME.test(frames[i + 1] ?? '')
    ) {
      return i;
    }
  }
  return -1;
}

/**
 * @internal The name of the generator function a task runs, read from a stack taken in the
 * task: the outermost generator of the user's code that the scheduler resumed (named by its
 * resume frame, or by its body's frame where V8 left the resume frame out). Undefined when the
 * stack does not show it (anonymous, cut short, another host).
 */
export function taskNameOf(stack: string | undefined): string | undefined {
  const frames = frameLines(stack);
  const end = schedulerAt(frames);
  let name: string | undefined;
  for (let i = 1; i < end; i++) {
    const resumed = RESUME.exec(frames[i]!)?.[1];
    if (resumed !== undefined && !isLibraryFrame(frames[i - 1]!)) name = resumed;
  }
  const outermost = end > 0 ? frames[end - 1]! : '';
  if (!RESUME.test(outermost) && !isLibraryFrame(outermost)) {
    name = FUNCTION.exec(outermost)?.[1];
  }
  return name === 'Generator' ? undefined : name;
}

/**
 * @internal `err`'s stack as the user needs it: its message and the task's own frames, without
 * the kernel's and the generator machinery's, and nothing from the scheduler down.
 */
export function userStack(err: Error): string {
  const stack = String(err.stack);
  const lines = stack.split('\n');
  const first = lines.findIndex((line) => FRAME.test(line));
  if (first < 0) return stack;
  let frames = lines.slice(first);
  const end = schedulerAt(frames);
  if (end >= 0) frames = frames.slice(0, end);
  const own = frames.filter(
    (line) => FRAME.test(line) && !isKernelFrame(line) && !RESUME.test(line),
  );
  return [...lines.slice(0, first), ...own].join('\n');
}
