import type { Command } from 'commander';

// Placeholder until the `conformance` command lands: it is listed but refuses to run.
export function registerConformance(program: Command): void {
  program.command('conformance').description('(not built yet)').action(() => {
    throw new Error('plstm conformance is not built yet');
  });
}
