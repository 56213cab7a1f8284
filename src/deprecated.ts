// Deprecated spellings: each keeps working for one release and warns once, naming the new
// spelling. CHANGELOG.md lists them; the next minor release removes them.

const warned = new Set<string>();

/**
 * Warns once per process that `oldSpelling` is deprecated in favour of `newSpelling`
 * (console.warn, so that it shows in browsers too). Later calls with the same old spelling
 * are silent.
 */
export function deprecated(oldSpelling: string, newSpelling: string): void {
  if (warned.has(oldSpelling)) return;
  warned.add(oldSpelling);
  console.warn(`powerlaw-lstm: ${oldSpelling} is deprecated and goes in the next release; use ${newSpelling}`);
}
