// How a message of the table (messages.ts) becomes an error's text: the full text in the default
// build, the code and what the call site filled in in the production build; `explain` gives the
// full text from a code in both.
import {
  K1,
  K2,
  K3,
  K4,
  K5,
  K6,
  K7,
  K8,
  K9,
  K10,
  K11,
  K12,
  K13,
  K14,
  K15,
  K16,
  K17,
  K18,
  K19,
  K20,
  K21,
  K22,
  K23,
  K24,
  K25,
  K26,
  K27,
  K28,
  K29,
  K30,
  K31,
  K32,
  K33,
  K34,
  K35,
  K36,
  K37,
  K38,
  K39,
  K40,
  K41,
  K42,
  K43,
  K44,
  K45,
  K46,
  K47,
  K48,
  K49,
  K50,
  K51,
  K52,
  K53,
  K54,
  K55,
  K56,
} from './messages.js';

declare const __CURIO_PRODUCTION__: boolean | undefined;
declare const __CURIO_BUILT__: boolean | undefined;

// Every message by its code, for `explain` (an object literal: a bundle without `explain` drops
// it, and with it every text in the production build). The test suite checks it lists them all.
const MESSAGES: Readonly<Record<string, string>> = {
  K1,
  K2,
  K3,
  K4,
  K5,
  K6,
  K7,
  K8,
  K9,
  K10,
  K11,
  K12,
  K13,
  K14,
  K15,
  K16,
  K17,
  K18,
  K19,
  K20,
  K21,
  K22,
  K23,
  K24,
  K25,
  K26,
  K27,
  K28,
  K29,
  K30,
  K31,
  K32,
  K33,
  K34,
  K35,
  K36,
  K37,
  K38,
  K39,
  K40,
  K41,
  K42,
  K43,
  K44,
  K45,
  K46,
  K47,
  K48,
  K49,
  K50,
  K51,
  K52,
  K53,
  K54,
  K55,
  K56,
};

// Set by the build (tsup's `define`, see scripts/lib/production-build.mjs), false from source:
// PRODUCTION in the production build; BUILT in both builds, where every importer of the table but
// this module gets each message as its code (production) or as a function writing its text.
const PRODUCTION = typeof __CURIO_PRODUCTION__ === 'boolean' && __CURIO_PRODUCTION__;
const BUILT = typeof __CURIO_BUILT__ === 'boolean' && __CURIO_BUILT__;

// `template` with its `{name}` holes filled from `args`, in order of first appearance (a hole
// with no argument stays as it is). Hole names are the table's own (`fn`, `value`...).
function fill(template: string, args: readonly unknown[]): string {
  const seen: Record<string, string> = {};
  let next = 0;
  return template.replace(
    /\{(\w+)\}/g,
    (hole, name: string) => (seen[name] ??= next < args.length ? String(args[next++]) : hole),
  );
}

/**
 * @internal The text of message `template` (a constant of messages.ts) filled with `args`. In
 * the production build `template` is its code and the text is short: the code, the arguments
 * and where to read the rest.
 */
export function msg(template: string, ...args: unknown[]): string {
  if (PRODUCTION) {
    const shown = args.length === 0 ? '' : `: ${args.join(', ')}`;
    return `curio ${template}${shown} (explain('${template}'), docs/errors.md#${template.toLowerCase()})`;
  }
  if (BUILT) return (template as unknown as (...args: unknown[]) => string)(...args);
  return fill(template, args);
}

/**
 * The full text of the error message with code `code` (the production build's errors read
 * `curio K2: sleep, ms, "abc" (explain('K2'), ...)`): pass what the message showed after the
 * code to fill it in. Every code is listed in docs/errors.md. A code of `@curio/sync` (`S…`) or
 * `@curio/queue` (`Q…`) is explained there.
 * @example
 * ```ts run
 * import { explain } from '@curio/kernel';
 *
 * console.log(explain('K2', 'sleep', 'ms', '"abc"'));
 * // sleep(ms): ms must be a finite number >= 0, got "abc"
 * console.log(explain('K2')); // {fn}({arg}): {arg} must be a finite number >= 0, got {value}
 * ```
 */
export function explain(code: string, ...args: unknown[]): string {
  if (Object.hasOwn(MESSAGES, code)) return fill(MESSAGES[code]!, args);
  const where = /^S\d+$/.test(code)
    ? ` (a code of @curio/sync: docs/errors.md#${code.toLowerCase()})`
    : /^Q\d+$/.test(code)
      ? ` (a code of @curio/queue: docs/errors.md#${code.toLowerCase()})`
      : ' (the codes are listed in docs/errors.md)';
  return `explain: no message of @curio/kernel has the code ${JSON.stringify(code)}${where}`;
}
