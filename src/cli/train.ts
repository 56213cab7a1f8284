import type { Command } from 'commander';

// Placeholder until the `train` command lands: it is listed but refuses to run.
export function registerTrain(program: Command): void {
  program.command('train').description('(not built yet)').action(() => {
    throw new Error('plstm train is not built yet');
  });
}
