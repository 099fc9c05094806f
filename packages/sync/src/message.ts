// How a message of the table (messages.ts) becomes an error's text: the full text in the default
// build; in the production build the code, what the call site filled in, and where to read the
// rest. (The kernel's explain.ts does the same for its own table.)

declare const __CURIO_PRODUCTION__: boolean | undefined;
declare const __CURIO_BUILT__: boolean | undefined;

// Set by the build (tsup's `define`, see scripts/lib/production-build.mjs), false from source:
// PRODUCTION in the production build; BUILT in both builds, where the table gives each message
// as its code (production) or as a function writing its text.
const PRODUCTION = typeof __CURIO_PRODUCTION__ === 'boolean' && __CURIO_PRODUCTION__;
const BUILT = typeof __CURIO_BUILT__ === 'boolean' && __CURIO_BUILT__;

/**
 * The text of message `template` (a constant of messages.ts) with its `{name}` holes filled from
 * `args` in order of first appearance. In the production build `template` is its code.
 */
export function msg(template: string, ...args: unknown[]): string {
  if (PRODUCTION) {
    const shown = args.length === 0 ? '' : `: ${args.join(', ')}`;
    return `curio ${template}${shown} (docs/errors.md#${template.toLowerCase()})`;
  }
  if (BUILT) return (template as unknown as (...args: unknown[]) => string)(...args);
  const seen: Record<string, string> = {}; // hole names are the table's own (`fn`, `value`...)
  let next = 0;
  return template.replace(
    /\{(\w+)\}/g,
    (_hole, name: string) => (seen[name] ??= String(args[next++])),
  );
}
