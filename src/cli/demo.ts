import type { Command } from 'commander';

// Placeholder until the `demo` command lands: it is listed but refuses to run.
export function registerDemo(program: Command): void {
  program.command('demo').description('(not built yet)').action(() => {
    throw new Error('plstm demo is not built yet');
  });
}
