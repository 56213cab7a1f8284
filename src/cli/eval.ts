import type { Command } from 'commander';

// Placeholder until the `eval` command lands: it is listed but refuses to run.
export function registerEval(program: Command): void {
  program.command('eval').description('(not built yet)').action(() => {
    throw new Error('plstm eval is not built yet');
  });
}
