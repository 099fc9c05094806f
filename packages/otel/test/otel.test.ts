import {
  asyncWith,
  type Coro,
  currentTask,
  getKernel,
  Kernel,
  newTask,
  run,
  sleep,
  type Task,
  TaskError,
  TaskGroup,
  timeoutAfter,
  VirtualTimeSelector,
} from '@curio/kernel';
import {
  type Context,
  type ContextManager,
  context,
  ROOT_CONTEXT,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { type OtelActivation, otel } from '../src/index.js';

function tracing() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { exporter, provider, activation: otel({ tracer: provider.getTracer('test') }) };
}

// Run `main` as a task named 'main' on virtual time, with `activation` installed.
async function runMain(activation: OtelActivation, main: () => Coro<unknown>): Promise<Task> {
  const kernel = new Kernel({ selector: new VirtualTimeSelector(), activations: [activation] });
  const task = kernel.addTask(main(), { name: 'main' });
  try {
    await kernel.run(undefined, { logErrors: false });
  } finally {
    await kernel.shutdown();
  }
  return task;
}

interface Node {
  name: string;
  status: string;
  children: Node[];
}

const byTaskId = (a: ReadableSpan, b: ReadableSpan) =>
  Number(a.attributes['curio.task.id']) - Number(b.attributes['curio.task.id']);

function statusOf(span: ReadableSpan): string {
  const { code, message } = span.status;
  if (code === SpanStatusCode.OK) return 'ok';
  if (code === SpanStatusCode.ERROR) return `error: ${message}`;
  return span.attributes['curio.task.cancelled'] === true ? 'cancelled' : 'unset';
}

// The finished spans as trees (roots first, children in the order their tasks were made).
function spanTree(spans: ReadableSpan[]): Node[] {
  const node = (span: ReadableSpan): Node => ({
    name: span.name,
    status: statusOf(span),
    children: spans
      .filter((s) => s.parentSpanContext?.spanId === span.spanContext().spanId)
      .sort(byTaskId)
      .map(node),
  });
  const ids = new Set(spans.map((s) => s.spanContext().spanId));
  return spans
    .filter((s) => s.parentSpanContext === undefined || !ids.has(s.parentSpanContext.spanId))
    .sort(byTaskId)
    .map(node);
}

const spanNamed = (exporter: InMemorySpanExporter, name: string) =>
  exporter.getFinishedSpans().find((s) => s.name === name) as ReadableSpan;

// A context manager that keeps the active context on a stack (synchronous code only).
class StackContextManager implements ContextManager {
  #active: Context = ROOT_CONTEXT;
  active(): Context {
    return this.#active;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    ctx: Context | null,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    const saved = this.#active;
    this.#active = ctx ?? ROOT_CONTEXT;
    try {
      return fn.call(thisArg, ...args);
    } finally {
      this.#active = saved;
    }
  }
  bind<T>(_ctx: Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.#active = ROOT_CONTEXT;
    return this;
  }
}

afterEach(() => {
  context.disable();
  trace.disable();
});

describe('otel', () => {
  it('makes one span per task: the span tree is the task tree, each task ok', async () => {
    const { exporter, activation } = tracing();
    const ids: Record<string, number> = {};
    function* leaf(name: string) {
      ids[name] = (yield* currentTask()).id;
      yield* sleep(5);
      return name;
    }
    function* worker() {
      ids.worker = (yield* currentTask()).id;
      const t = yield* newTask(leaf('fetch'), { name: 'fetch' });
      return yield* t.join();
    }
    function* main() {
      ids.main = (yield* currentTask()).id;
      const w = yield* newTask(worker(), { name: 'worker' });
      yield* asyncWith(new TaskGroup(), function* (group) {
        yield* group.spawn(leaf('left'), { name: 'left' });
        yield* group.spawn(leaf('right'), { name: 'right' });
      });
      yield* w.join();
    }
    await runMain(activation, main);

    expect(spanTree(exporter.getFinishedSpans())).toEqual([
      {
        name: 'main',
        status: 'ok',
        children: [
          {
            name: 'worker',
            status: 'ok',
            children: [{ name: 'fetch', status: 'ok', children: [] }],
          },
          { name: 'left', status: 'ok', children: [] },
          { name: 'right', status: 'ok', children: [] },
        ],
      },
    ]);
    const spans = exporter.getFinishedSpans();
    expect(new Set(spans.map((s) => s.spanContext().traceId)).size).toBe(1);
    expect(spans.map((s) => [s.name, s.attributes]).sort()).toEqual(
      ['fetch', 'left', 'main', 'right', 'worker'].map((name) => [
        name,
        { 'curio.task.id': ids[name], 'curio.task.daemon': false },
      ]),
    );
    expect(spans.every((s) => s.events.length === 0 && s.links.length === 0)).toBe(true);
  });

  it('records an error as an exception event and status ERROR, up the chain of joins', async () => {
    const { exporter, activation } = tracing();
    function* failing() {
      yield* sleep(1);
      throw new Error('boom');
    }
    function* main() {
      const t = yield* newTask(failing(), { name: 'failing' });
      yield* t.join();
    }
    const failure = (await runMain(activation, main)).excInfo;

    expect(failure).toBeInstanceOf(TaskError);
    const message = (failure as TaskError).message;
    expect(spanTree(exporter.getFinishedSpans())).toEqual([
      {
        name: 'main',
        status: `error: ${message}`,
        children: [{ name: 'failing', status: 'error: boom', children: [] }],
      },
    ]);
    expect(spanNamed(exporter, 'failing').events.map((e) => [e.name, e.attributes])).toEqual([
      [
        'exception',
        {
          'exception.type': 'Error',
          'exception.message': 'boom',
          'exception.stacktrace': expect.stringContaining('Error: boom'),
        },
      ],
    ]);
    expect(spanNamed(exporter, 'main').events.map((e) => e.name)).toEqual(['exception']);
  });

  it('records a cancellation as an event and attribute, the status left unset', async () => {
    const { exporter, activation } = tracing();
    let reason = '';
    function* main() {
      const sleeper = yield* newTask(sleep(60_000), { name: 'sleeper' });
      yield* sleep(1);
      yield* sleeper.cancel();
      reason = (sleeper.excInfo as Error).message;
    }
    await runMain(activation, main);

    expect(spanTree(exporter.getFinishedSpans())).toEqual([
      {
        name: 'main',
        status: 'ok',
        children: [{ name: 'sleeper', status: 'cancelled', children: [] }],
      },
    ]);
    const span = spanNamed(exporter, 'sleeper');
    expect(span.status).toEqual({ code: SpanStatusCode.UNSET });
    expect(span.events.map((e) => [e.name, e.attributes])).toEqual([
      ['curio.task.cancelled', { 'exception.message': reason }],
    ]);
  });

  it('records a timeout that ends a task as an error', async () => {
    const { exporter, activation } = tracing();
    function* slow() {
      yield* timeoutAfter(10, sleep(1000));
    }
    function* main() {
      const t = yield* newTask(slow(), { name: 'slow' });
      try {
        yield* t.join();
      } catch (err) {
        if (!(err instanceof TaskError)) throw err;
      }
    }
    await runMain(activation, main);

    expect(spanTree(exporter.getFinishedSpans())).toEqual([
      {
        name: 'main',
        status: 'ok',
        children: [
          { name: 'slow', status: 'error: timeoutAfter: timed out after 10 ms', children: [] },
        ],
      },
    ]);
    expect(spanNamed(exporter, 'slow').events.map((e) => e.attributes?.['exception.type'])).toEqual(
      ['TaskTimeout'],
    );
  });

  it('starts a trace of its own for a daemon a task spawns, linked to its spawner', async () => {
    const { exporter, activation } = tracing();
    function* main() {
      yield* newTask(sleep(60_000), { name: 'watchdog', daemon: true });
      yield* sleep(1);
    }
    await runMain(activation, main); // shutdown cancels the daemon

    expect(spanTree(exporter.getFinishedSpans())).toEqual([
      { name: 'main', status: 'ok', children: [] },
      { name: 'watchdog', status: 'cancelled', children: [] },
    ]);
    const mainSpan = spanNamed(exporter, 'main');
    const watchdog = spanNamed(exporter, 'watchdog');
    expect(watchdog.parentSpanContext).toBeUndefined();
    expect(watchdog.spanContext().traceId).not.toBe(mainSpan.spanContext().traceId);
    expect(watchdog.links.map((l) => l.context.spanId)).toEqual([mainSpan.spanContext().spanId]);
    expect(watchdog.attributes['curio.task.daemon']).toBe(true);
  });

  it('makes a task started from plain code a child of the context active there', async () => {
    context.setGlobalContextManager(new StackContextManager());
    const { exporter, provider, activation } = tracing();
    const tracer = provider.getTracer('app');
    function* main() {
      yield* sleep(1);
    }
    await tracer.startActiveSpan('request', (span) =>
      run(main(), { selector: new VirtualTimeSelector(), activations: [activation] }).finally(() =>
        span.end(),
      ),
    );

    const [mainSpan, request] = exporter.getFinishedSpans();
    expect([mainSpan.name, request.name]).toEqual([expect.any(String), 'request']);
    expect(mainSpan.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
    expect(mainSpan.spanContext().traceId).toBe(request.spanContext().traceId);
  });

  it('makes a task a task submits to the kernel a root, as the kernel does, not its child', async () => {
    const { exporter, activation } = tracing();
    function* answer(): Coro<number> {
      return 1;
    }
    let submitted: Promise<number> | undefined;
    function* main() {
      const kernel = yield* getKernel();
      submitted = kernel.submit(answer(), { name: 'submitted' });
      yield* sleep(1);
    }
    await runMain(activation, main);
    expect(await submitted).toBe(1);
    const mainSpan = spanNamed(exporter, 'main');
    const span = spanNamed(exporter, 'submitted');
    expect([
      span.parentSpanContext,
      span.spanContext().traceId === mainSpan.spanContext().traceId,
    ]).toEqual([undefined, false]);
  });

  it("spanOf and contextOf reach a task's span from its code", async () => {
    const { exporter, provider, activation } = tracing();
    const tracer = provider.getTracer('app');
    function* main() {
      const me = yield* currentTask();
      activation.spanOf(me)?.setAttribute('user.id', 7);
      tracer.startSpan('query', {}, activation.contextOf(me)).end();
    }
    await runMain(activation, main);

    const mainSpan = spanNamed(exporter, 'main');
    expect(mainSpan.attributes['user.id']).toBe(7);
    expect(spanNamed(exporter, 'query').parentSpanContext?.spanId).toBe(
      mainSpan.spanContext().spanId,
    );

    const unseen = await run(currentTask(), { selector: new VirtualTimeSelector() });
    expect([activation.spanOf(unseen), activation.contextOf(unseen)]).toEqual([
      undefined,
      undefined,
    ]);
  });

  it("uses the global tracer provider's tracer by default", async () => {
    const { exporter, provider } = tracing();
    trace.setGlobalTracerProvider(provider);
    await runMain(otel(), function* main() {
      yield* sleep(1);
    });

    expect(exporter.getFinishedSpans().map((s) => [s.name, s.instrumentationScope.name])).toEqual([
      ['main', '@curio/otel'],
    ]);
  });

  it('refuses bad options with a TypeError naming the argument', () => {
    expect(() => otel(5 as never)).toThrow(
      new TypeError('otel(options): options must be an object, got 5'),
    );
    expect(() => otel(null as never)).toThrow(
      new TypeError('otel(options): options must be an object, got null'),
    );
    expect(() => otel({ tracer: {} as never })).toThrow(
      new TypeError(
        'otel(options): options.tracer must be an OpenTelemetry Tracer (with startSpan), got an object of class Object',
      ),
    );
    expect(() => otel({ tracer: 'tracer' as never })).toThrow(
      new TypeError(
        'otel(options): options.tracer must be an OpenTelemetry Tracer (with startSpan), got "tracer"',
      ),
    );
  });
});
