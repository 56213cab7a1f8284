import type { Command } from 'commander';

// Placeholder until the `bench` command lands: it is listed but refuses to run.
export function registerBench(program: Command): void {
  program.command('bench').description('(not built yet)').action(() => {
    throw new Error('plstm bench is not built yet');
  });
}
