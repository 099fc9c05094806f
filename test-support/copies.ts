// Two copies of a package in one program, as an application gets them when one dependency
// imports curio and another requires it, or when two versions are installed: a package's test
// loads its own ESM and CJS builds (`../dist/index.js`, `../dist/index.cjs`) side by side. Each
// build imports the matching build of `@curio/kernel`, so the two copies share no class.

/** An error class of curio's. */
type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * The `instanceof` relations that hold across two copies, each class given as its [ESM, CJS]
 * pair: `"A instanceof B"` when an A from either copy is an instance of the other copy's B, and
 * `"A instanceof B (one way only)"` when only one direction holds. Instances are made from the
 * prototypes (no constructor runs): `instanceof` looks at nothing else.
 */
export function instanceofAcrossCopies(
  classes: Record<string, readonly [ErrorClass, ErrorClass]>,
): string[] {
  const relations: string[] = [];
  for (const [a, [aEsm, aCjs]] of Object.entries(classes)) {
    if (aEsm === aCjs) throw new Error(`instanceofAcrossCopies: ${a} is one class, not two copies`);
    for (const [b, [bEsm, bCjs]] of Object.entries(classes)) {
      const forward = Object.create(aEsm.prototype) instanceof bCjs;
      const backward = Object.create(aCjs.prototype) instanceof bEsm;
      if (forward && backward) relations.push(`${a} instanceof ${b}`);
      else if (forward || backward) relations.push(`${a} instanceof ${b} (one way only)`);
    }
  }
  return relations;
}
