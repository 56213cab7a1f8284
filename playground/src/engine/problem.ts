// The one error the playground shows to its user: something they can fix (a CSV that does not
// parse, a model file of another kind, a learning rate that makes training diverge). Its
// message is one line; anything else thrown by the engine is a fault of the engine.

/** A user-fixable problem: a one-line message saying what is wrong and what to do. */
export class PlaygroundProblem extends Error {
  constructor(message: string) {
    // one line, whatever the cause's message held
    super(message.replace(/\s*\n\s*/g, ' ').trim());
    this.name = 'PlaygroundProblem';
  }
}
