// One OpenTelemetry span per task: opened when the kernel makes the task, ended when the task
// ends, a child of the span of the task that spawned it. Built on the kernel's activation hooks
// and @opentelemetry/api alone: without a registered SDK every span is a no-op.
import { type Activation, CancelledError, type Task } from '@curio/kernel';
import {
  type Context,
  context,
  type Link,
  type Span,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';

/** Options of {@link otel}. */
export interface OtelOptions {
  /**
   * The tracer that makes the spans. Default: `trace.getTracer('@curio/otel')`, the global
   * tracer provider's (a no-op until an SDK registers one).
   */
  tracer?: Tracer;
}

/**
 * The activation {@link otel} returns: the kernel's hooks, and a way to reach a task's span
 * from the task's own code.
 * @example
 * import { run, sleep } from '@curio/kernel';
 * import { type OtelActivation, otel } from '@curio/otel';
 *
 * const tracing: OtelActivation = otel();
 * await run(function* main() { yield* sleep(1); }(), { activations: [tracing] });
 */
export interface OtelActivation extends Activation {
  /**
   * The span of `task`, or `undefined` for a task this activation did not see made. Add
   * attributes and events to it from the task's code.
   * @example
   * import { currentTask, run } from '@curio/kernel';
   * import { otel } from '@curio/otel';
   *
   * const tracing = otel();
   * function* fetchUser(id: number) {
   *   tracing.spanOf(yield* currentTask())?.setAttribute('user.id', id);
   * }
   * await run(fetchUser(7), { activations: [tracing] });
   */
  spanOf(task: Task): Span | undefined;
  /**
   * The OpenTelemetry context whose active span is `task`'s (`undefined` for a task this
   * activation did not see made): run Promise code under it with `context.with` so that the
   * spans instrumented libraries make there are children of the task's span.
   * @example
   * import { currentTask, futureWait, run } from '@curio/kernel';
   * import { otel } from '@curio/otel';
   * import { context } from '@opentelemetry/api';
   *
   * const tracing = otel();
   * function* main() {
   *   const ctx = tracing.contextOf(yield* currentTask()) ?? context.active();
   *   const text = yield* futureWait(context.with(ctx, () => Promise.resolve('made under the span')));
   *   console.log(text);
   * }
   * await run(main(), { activations: [tracing] });
   */
  contextOf(task: Task): Context | undefined;
}

/**
 * An activation that traces tasks with OpenTelemetry: one span per task, named after the task,
 * from the moment it is made until it ends. A task's span is a child of the span of the task
 * that spawned it, so the span tree is the task tree. A task made from plain code (`run`,
 * `Kernel.addTask`, `Kernel.submit`) is a child of the context active there; a daemon spawned
 * by a task starts a trace of its own, linked to its spawner's span. Attributes:
 * `curio.task.id`, `curio.task.daemon`. A task that returns ends with status `OK`; one that
 * fails records the exception (an `exception` event) and ends with status `ERROR` and the
 * error's message; a cancelled task gets a `curio.task.cancelled` event and attribute and its
 * status stays `UNSET` (cancelling is how work is stopped, not a failure).
 * @example
 * import { newTask, run, sleep } from '@curio/kernel';
 * import { otel } from '@curio/otel';
 * import {
 *   BasicTracerProvider,
 *   InMemorySpanExporter,
 *   SimpleSpanProcessor,
 * } from '@opentelemetry/sdk-trace-base';
 *
 * const exporter = new InMemorySpanExporter();
 * const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
 *
 * function* child() {
 *   yield* sleep(1);
 * }
 * function* main() {
 *   const t = yield* newTask(child(), { name: 'child' });
 *   yield* t.join();
 * }
 * await run(main(), { activations: [otel({ tracer: provider.getTracer('app') })] });
 * console.log(exporter.getFinishedSpans().map((span) => span.name)); // [ 'child', 'task-1' ]
 */
export function otel(options?: OtelOptions): OtelActivation {
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw new TypeError(`otel(options): options must be an object, got ${describe(options)}`);
  }
  const tracer = options?.tracer;
  if (tracer !== undefined && typeof tracer?.startSpan !== 'function') {
    throw new TypeError(
      `otel(options): options.tracer must be an OpenTelemetry Tracer (with startSpan), got ${describe(tracer)}`,
    );
  }
  return new TaskTracing(tracer ?? trace.getTracer('@curio/otel'));
}

class TaskTracing implements OtelActivation {
  readonly #tracer: Tracer;
  // Each task's context, its span active in it; entries go with their tasks.
  readonly #contexts = new WeakMap<Task, Context>();
  // The task whose step is under way (steps never nest): a daemon made now is linked to it.
  #running: Task | null = null;

  constructor(tracer: Tracer) {
    this.#tracer = tracer;
  }

  created(task: Task): void {
    // A task's span is a child of its parent task's; a daemon (no parent) is linked to the task
    // that made it; a task made from plain code (run, submit) is a child of the active context.
    const spawner = task.daemon ? this.#running : task.parent;
    const spawnerContext = spawner === null ? undefined : this.#contexts.get(spawner);
    const parent = spawnerContext ?? context.active();
    const spawnerSpan = task.daemon ? trace.getSpan(parent) : undefined;
    const links: Link[] | undefined =
      spawner !== null && spawnerSpan !== undefined
        ? [{ context: spawnerSpan.spanContext() }]
        : undefined;
    const span = this.#tracer.startSpan(
      task.name,
      {
        root: spawner !== null && task.daemon,
        links,
        attributes: { 'curio.task.id': task.id, 'curio.task.daemon': task.daemon },
      },
      parent,
    );
    this.#contexts.set(task, trace.setSpan(parent, span));
  }

  running(task: Task): void {
    this.#running = task;
  }

  suspended(): void {
    this.#running = null;
  }

  terminated(task: Task): void {
    if (this.#running === task) this.#running = null;
    const span = this.spanOf(task);
    if (span === undefined) return;
    const error = task.excInfo;
    if (error === undefined) {
      span.setStatus({ code: SpanStatusCode.OK });
    } else if (error instanceof CancelledError) {
      span.setAttribute('curio.task.cancelled', true);
      span.addEvent('curio.task.cancelled', { 'exception.message': error.message });
    } else {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: error instanceof Error ? error.message : String(error),
      });
    }
    span.end();
  }

  spanOf(task: Task): Span | undefined {
    const ctx = this.#contexts.get(task);
    return ctx === undefined ? undefined : trace.getSpan(ctx);
  }

  contextOf(task: Task): Context | undefined {
    return this.#contexts.get(task);
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || typeof value !== 'object') return String(value);
  return `an object of class ${value.constructor?.name ?? 'Object'}`;
}
