// How a message of the table (messages.ts) becomes an error's text: the full text in the default
// build; in the production build the code, what the call site filled in, and where to read the
// rest. (The kernel's explain.ts does the same for its own table.)

declare const __CURIO_PRODUCTION__: boolean | undefined;

// True in the production build (tsup's `define`); false in the default build and from source.
const PRODUCTION = typeof __CURIO_PRODUCTION__ === 'boolean' && __CURIO_PRODUCTION__;

/**
 * The text of message `template` (a constant of messages.ts) with its `{name}` holes filled from
 * `args` in order of first appearance. In the production build `template` is its code.
 */
export function msg(template: string, ...args: unknown[]): string {
  if (PRODUCTION) {
    const shown = args.length === 0 ? '' : `: ${args.join(', ')}`;
    return `curio ${template}${shown} (docs/errors.md#${template.toLowerCase()})`;
  }
  const names: string[] = [];
  return template.replace(/\{(\w+)\}/g, (_hole, name: string) => {
    let i = names.indexOf(name);
    if (i < 0) i = names.push(name) - 1;
    return String(args[i]);
  });
}
